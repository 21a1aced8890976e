package dev.switchboard.room;

import dev.switchboard.bus.PeerProfile;
import io.vertx.core.json.JsonObject;

/**
 * A peer in a room: the node whose gateway holds its session, who it is, and whether its socket is
 * connected (a disconnected member is held for a session resume).
 */
public record Member(String peerId, String nodeId, PeerProfile profile, boolean connected) {
  public Member {
    profile = profile == null ? PeerProfile.ANONYMOUS : profile;
  }

  /** A connected member without a profile (open mode without params; tests). */
  public Member(String peerId, String nodeId) {
    this(peerId, nodeId, PeerProfile.ANONYMOUS, true);
  }

  public JsonObject wireJson() {
    return profile.memberJson(peerId, connected);
  }
}

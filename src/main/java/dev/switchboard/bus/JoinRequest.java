package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/**
 * Gateway → registry: put a peer of node {@code nodeId} into a room, as {@code profile}. A peer that is a
 * member already (a resumed session rejoining) is not new: its node and state are updated.
 */
public record JoinRequest(String room, String peerId, String nodeId, PeerProfile profile) {
  public JoinRequest {
    profile = profile == null ? PeerProfile.ANONYMOUS : profile;
  }

  public JoinRequest(String room, String peerId, String nodeId) {
    this(room, peerId, nodeId, PeerProfile.ANONYMOUS);
  }

  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("peer_id", peerId).put("node_id", nodeId)
        .put("profile", profile.toJson());
  }

  public static JoinRequest fromJson(JsonObject json) {
    return new JoinRequest(json.getString("room"), json.getString("peer_id"), json.getString("node_id"),
        PeerProfile.fromJson(json.getJsonObject("profile")));
  }
}

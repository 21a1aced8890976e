package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/**
 * Who a peer is and what its grant lets it do, as the room shows it: from a verified access token, or, in
 * open mode, from join params ({@code verified} false). Stored with the membership and carried by room events.
 */
public record PeerProfile(String identity, String name, JsonObject metadata, boolean verified, boolean publish,
                          boolean subscribe, boolean admin) {
  /** Nothing known: open mode without join params. */
  public static final PeerProfile ANONYMOUS = new PeerProfile(null, null, new JsonObject(), false, true, true, false);

  public PeerProfile {
    metadata = metadata == null ? new JsonObject() : metadata;
  }

  /** The identity that must be unique in a room: only a verified one (an unverified one is only a claim). */
  public String exclusiveIdentity() {
    return verified && identity != null ? identity : null;
  }

  public JsonObject toJson() {
    return new JsonObject().put("identity", identity).put("name", name).put("metadata", metadata)
        .put("verified", verified).put("publish", publish).put("subscribe", subscribe).put("admin", admin);
  }

  public static PeerProfile fromJson(JsonObject json) {
    if (json == null) {
      return ANONYMOUS;
    }
    return new PeerProfile(json.getString("identity"), json.getString("name"), json.getJsonObject("metadata"),
        json.getBoolean("verified", false), json.getBoolean("publish", true), json.getBoolean("subscribe", true),
        json.getBoolean("admin", false));
  }

  /** The member object clients see in {@code members} and {@code peer:joined}. */
  public JsonObject memberJson(String peerId, boolean connected) {
    return new JsonObject().put("peer_id", peerId).put("identity", identity).put("name", name)
        .put("metadata", metadata).put("verified", verified).put("publish", publish).put("admin", admin)
        .put("state", connected ? "connected" : "disconnected");
  }
}

package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/**
 * Registry → a peer's own address: the peer is no longer in {@code room} ({@code replaced} by a newer socket
 * of its identity, or {@code removed} by an admin); its channel is closed with that reason, not resumable.
 */
public record PeerKick(String room, String reason) {
  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("reason", reason);
  }

  public static PeerKick fromJson(JsonObject json) {
    return new PeerKick(json.getString("room"), json.getString("reason"));
  }
}

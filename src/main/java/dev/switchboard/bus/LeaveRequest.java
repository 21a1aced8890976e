package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/**
 * Gateway → registry: the peer left the room, for {@code reason} (a {@code RoomEvent.LEFT_*}). Idempotent.
 */
public record LeaveRequest(String room, String peerId, String reason) {
  public LeaveRequest(String room, String peerId) {
    this(room, peerId, RoomEvent.LEFT_VOLUNTARILY);
  }

  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("peer_id", peerId).put("reason", reason);
  }

  public static LeaveRequest fromJson(JsonObject json) {
    return new LeaveRequest(json.getString("room"), json.getString("peer_id"),
        json.getString("reason", RoomEvent.LEFT_VOLUNTARILY));
  }
}

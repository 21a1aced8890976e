package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/** Gateway → registry: the peer left the room (any way out). Idempotent. */
public record LeaveRequest(String room, String peerId) {
  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("peer_id", peerId);
  }

  public static LeaveRequest fromJson(JsonObject json) {
    return new LeaveRequest(json.getString("room"), json.getString("peer_id"));
  }
}

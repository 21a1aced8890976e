package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/** Gateway → registry: put a peer of node {@code nodeId} into a room. */
public record JoinRequest(String room, String peerId, String nodeId) {
  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("peer_id", peerId).put("node_id", nodeId);
  }

  public static JoinRequest fromJson(JsonObject json) {
    return new JoinRequest(json.getString("room"), json.getString("peer_id"), json.getString("node_id"));
  }
}

package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/**
 * Gateway → registry, about one member of a room:
 * <ul>
 *   <li>{@link Op#DISCONNECTED} / {@link Op#CONNECTED}: its socket dropped (held for a resume) or is back;</li>
 *   <li>{@link Op#REMOVE}: an admin removes it ({@code peer:left {reason:"removed"}}, its channel is closed);</li>
 *   <li>{@link Op#FORGET}: its session moved to another node; this node stops counting it as its own, the
 *       membership stays.</li>
 * </ul>
 */
public record MemberUpdate(String room, String peerId, Op op) {
  public enum Op { DISCONNECTED, CONNECTED, REMOVE, FORGET }

  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("peer_id", peerId).put("op", op.name());
  }

  public static MemberUpdate fromJson(JsonObject json) {
    return new MemberUpdate(json.getString("room"), json.getString("peer_id"), Op.valueOf(json.getString("op")));
  }
}

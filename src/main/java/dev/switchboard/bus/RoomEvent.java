package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/**
 * Registry → every gateway with members in the room: a peer joined, left, or its connection state changed.
 * {@code payload} is exactly what clients get, so a gateway encodes it once for all its members.
 */
public record RoomEvent(String room, Kind kind, String peerId, JsonObject payload) {
  public enum Kind {
    JOINED("peer:joined"),
    LEFT("peer:left"),
    STATE("peer:state");

    private final String wireEvent;

    Kind(String wireEvent) {
      this.wireEvent = wireEvent;
    }

    /** The Phoenix event name clients see. */
    public String wireEvent() {
      return wireEvent;
    }
  }

  /** Why a peer left, as {@code peer:left}'s {@code reason}. */
  public static final String LEFT_VOLUNTARILY = "left";
  public static final String LEFT_CLOSED = "closed";
  public static final String LEFT_EXPIRED = "expired";
  public static final String LEFT_REPLACED = "replaced";
  public static final String LEFT_REMOVED = "removed";
  public static final String LEFT_NODE_LOST = "node_lost";

  /** @param member the member object clients see ({@code PeerProfile#memberJson}) */
  public static RoomEvent joined(String room, String peerId, JsonObject member) {
    return new RoomEvent(room, Kind.JOINED, peerId, member);
  }

  public static RoomEvent left(String room, String peerId, String reason) {
    return new RoomEvent(room, Kind.LEFT, peerId, new JsonObject().put("peer_id", peerId).put("reason", reason));
  }

  public static RoomEvent state(String room, String peerId, boolean connected) {
    return new RoomEvent(room, Kind.STATE, peerId, new JsonObject().put("peer_id", peerId)
        .put("state", connected ? "connected" : "disconnected"));
  }

  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("kind", kind.name()).put("peer_id", peerId).put("payload", payload);
  }

  public static RoomEvent fromJson(JsonObject json) {
    return new RoomEvent(json.getString("room"), Kind.valueOf(json.getString("kind")), json.getString("peer_id"),
        json.getJsonObject("payload"));
  }
}

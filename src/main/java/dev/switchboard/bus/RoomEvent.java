package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/** Registry → every gateway with members in the room: a peer joined or left. */
public record RoomEvent(String room, Kind kind, String peerId) {
  public enum Kind {
    JOINED("peer:joined"),
    LEFT("peer:left");

    private final String wireEvent;

    Kind(String wireEvent) {
      this.wireEvent = wireEvent;
    }

    /** The Phoenix event name clients see. */
    public String wireEvent() {
      return wireEvent;
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("kind", kind.name()).put("peer_id", peerId);
  }

  public static RoomEvent fromJson(JsonObject json) {
    return new RoomEvent(json.getString("room"), Kind.valueOf(json.getString("kind")), json.getString("peer_id"));
  }
}

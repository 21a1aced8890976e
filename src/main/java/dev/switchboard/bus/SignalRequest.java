package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/**
 * Gateway → registry: relay {@code body} from one member of a room to another. The body is opaque.
 * {@code fromAdmin}: the sender's grant is admin (reaches peers that do not subscribe).
 */
public record SignalRequest(String room, String from, String to, String kind, Object body, boolean fromAdmin) {
  public SignalRequest(String room, String from, String to, String kind, Object body) {
    this(room, from, to, kind, body, false);
  }

  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("from", from).put("to", to).put("kind", kind).put("body", body)
        .put("admin", fromAdmin);
  }

  public static SignalRequest fromJson(JsonObject json) {
    return new SignalRequest(json.getString("room"), json.getString("from"), json.getString("to"),
        json.getString("kind"), json.getValue("body"), json.getBoolean("admin", false));
  }

  public SignalDelivery delivery() {
    return new SignalDelivery(room, from, kind, body, fromAdmin);
  }
}

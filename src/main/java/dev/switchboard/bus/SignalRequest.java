package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/** Gateway → registry: relay {@code body} from one member of a room to another. The body is opaque. */
public record SignalRequest(String room, String from, String to, String kind, Object body) {
  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("from", from).put("to", to).put("kind", kind).put("body", body);
  }

  public static SignalRequest fromJson(JsonObject json) {
    return new SignalRequest(json.getString("room"), json.getString("from"), json.getString("to"),
        json.getString("kind"), json.getValue("body"));
  }

  public SignalDelivery delivery() {
    return new SignalDelivery(room, from, kind, body);
  }
}

package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/** Registry → the target peer's own address. */
public record SignalDelivery(String room, String from, String kind, Object body) {
  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("from", from).put("kind", kind).put("body", body);
  }

  public static SignalDelivery fromJson(JsonObject json) {
    return new SignalDelivery(json.getString("room"), json.getString("from"), json.getString("kind"),
        json.getValue("body"));
  }
}

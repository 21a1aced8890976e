package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/** Registry → the target peer's own address. {@code fromAdmin}: the sender's grant is admin. */
public record SignalDelivery(String room, String from, String kind, Object body, boolean fromAdmin) {
  public SignalDelivery(String room, String from, String kind, Object body) {
    this(room, from, kind, body, false);
  }

  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("from", from).put("kind", kind).put("body", body)
        .put("admin", fromAdmin);
  }

  public static SignalDelivery fromJson(JsonObject json) {
    return new SignalDelivery(json.getString("room"), json.getString("from"), json.getString("kind"),
        json.getValue("body"), json.getBoolean("admin", false));
  }
}

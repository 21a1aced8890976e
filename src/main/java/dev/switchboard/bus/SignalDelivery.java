package dev.switchboard.bus;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/** Registry → the target peer's own address. {@code fromAdmin}: the sender's grant is admin. */
public record SignalDelivery(String room, String from, String kind, Object body, boolean fromAdmin) {
  /** Added to the encoded body for the envelope, so that signals with empty bodies still count. */
  private static final int ENVELOPE_BYTES = 64;

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

  /** About what it takes in memory while held for a session being resumed: its body as JSON plus an envelope. */
  public int estimatedBytes() {
    int encoded = body == null ? 0 : body instanceof String text ? text.length() + 2 : Json.encode(body).length();
    return encoded + kind.length() + ENVELOPE_BYTES;
  }
}

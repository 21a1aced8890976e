package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/** Anyone → TURN credentials: ICE servers for {@code id} (a peer id or a REST API username). */
public record IceServersRequest(String id) {
  public JsonObject toJson() {
    return new JsonObject().put("id", id);
  }

  public static IceServersRequest fromJson(JsonObject json) {
    return new IceServersRequest(json.getString("id"));
  }
}

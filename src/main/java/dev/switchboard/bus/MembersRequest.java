package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/** Anyone → registry: the current members of a room (operations, tests, reconciliation). */
public record MembersRequest(String room) {
  public JsonObject toJson() {
    return new JsonObject().put("room", room);
  }

  public static MembersRequest fromJson(JsonObject json) {
    return new MembersRequest(json.getString("room"));
  }
}

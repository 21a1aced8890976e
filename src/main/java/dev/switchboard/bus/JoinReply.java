package dev.switchboard.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Registry → gateway: the peers that were in the room before the joiner. */
public record JoinReply(List<String> peers) {
  public JsonObject toJson() {
    return new JsonObject().put("peers", new JsonArray(List.copyOf(peers)));
  }

  public static JoinReply fromJson(JsonObject json) {
    return new JoinReply(json.getJsonArray("peers").stream().map(String::valueOf).toList());
  }
}

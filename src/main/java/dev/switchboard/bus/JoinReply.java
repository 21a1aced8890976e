package dev.switchboard.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Registry → gateway: the peers that were in the room before the joiner (ids, and member objects in the
 * same order), and whether the joiner was a member already (a resumed session rejoining).
 */
public record JoinReply(List<String> peers, JsonArray members, boolean rejoined) {
  public JoinReply(List<String> peers) {
    this(peers, new JsonArray(), false);
  }

  public JsonObject toJson() {
    return new JsonObject().put("peers", new JsonArray(List.copyOf(peers))).put("members", members)
        .put("rejoined", rejoined);
  }

  public static JoinReply fromJson(JsonObject json) {
    return new JoinReply(json.getJsonArray("peers").stream().map(String::valueOf).toList(),
        json.getJsonArray("members", new JsonArray()), json.getBoolean("rejoined", false));
  }
}

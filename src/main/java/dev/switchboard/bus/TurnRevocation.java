package dev.switchboard.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A peer's session ended for good: every relay refuses and tears down its TURN allocations, both those made
 * with one of {@code usernames} and any made with a username bound to {@code peerId} (either may be
 * missing: null peer id, empty list).
 */
public record TurnRevocation(String peerId, List<String> usernames) {
  public TurnRevocation {
    usernames = usernames == null ? List.of() : List.copyOf(usernames);
  }

  public JsonObject toJson() {
    return new JsonObject().put("peer_id", peerId).put("usernames", new JsonArray(usernames));
  }

  /** Lenient: the message may come from another node's version; entries that are not strings are skipped. */
  public static TurnRevocation fromJson(JsonObject json) {
    JsonArray usernames = json.getJsonArray("usernames", new JsonArray());
    return new TurnRevocation(json.getString("peer_id"),
        usernames.stream().filter(String.class::isInstance).map(String.class::cast).toList());
  }
}

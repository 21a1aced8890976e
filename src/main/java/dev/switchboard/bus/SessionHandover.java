package dev.switchboard.bus;

import dev.switchboard.auth.AccessGrant;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The answer to a {@code PEER_RESUME} request: everything the new socket's session takes over from the old
 * one. {@code grant} is null when the old socket had none (open mode without a token); {@code rooms} are the
 * rooms it is still a member of, {@code held} the signals held for it, in order.
 */
public record SessionHandover(String peerId, AccessGrant grant, List<String> rooms, List<SignalDelivery> held,
                              List<String> turnUsernames) {
  public SessionHandover {
    rooms = List.copyOf(rooms);
    held = List.copyOf(held);
    turnUsernames = List.copyOf(turnUsernames);
  }

  public JsonObject toJson() {
    JsonArray signals = new JsonArray();
    held.forEach(s -> signals.add(s.toJson()));
    return new JsonObject().put("peer_id", peerId).put("grant", grant == null ? null : grant.toJson())
        .put("rooms", new JsonArray(List.copyOf(rooms))).put("held", signals)
        .put("turn_usernames", new JsonArray(List.copyOf(turnUsernames)));
  }

  public static SessionHandover fromJson(JsonObject json) {
    JsonObject grant = json.getJsonObject("grant");
    List<SignalDelivery> held = json.getJsonArray("held", new JsonArray()).stream()
        .map(o -> SignalDelivery.fromJson((JsonObject) o)).toList();
    return new SessionHandover(json.getString("peer_id"), grant == null ? null : AccessGrant.fromJson(grant),
        strings(json.getJsonArray("rooms")), held, strings(json.getJsonArray("turn_usernames")));
  }

  private static List<String> strings(JsonArray array) {
    return array == null ? List.of() : array.stream().map(String::valueOf).toList();
  }
}

package dev.switchboard.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Reaping node → every node ({@link Addresses#ROOM_REAPED}): peers of a dead node that the store removed, each
 * to be announced {@code peer:left} (reason {@code node_lost}) to its room-mates on the receiving node.
 */
public record ReapedPeers(List<Departure> departures) {
  /** One reaped member: its room and peer id. */
  public record Departure(String room, String peerId) {
  }

  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    departures.forEach(d -> list.add(new JsonArray().add(d.room()).add(d.peerId())));
    return new JsonObject().put("departures", list);
  }

  public static ReapedPeers fromJson(JsonObject json) {
    JsonArray list = json.getJsonArray("departures");
    List<Departure> departures = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      JsonArray one = list.getJsonArray(i);
      departures.add(new Departure(one.getString(0), one.getString(1)));
    }
    return new ReapedPeers(List.copyOf(departures));
  }
}

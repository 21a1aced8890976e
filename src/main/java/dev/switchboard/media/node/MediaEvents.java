package dev.switchboard.media.node;

import io.vertx.core.json.JsonObject;

/** The node's events for a participant's {@code room:<id>} topic: its offers and the room's track changes. */
@FunctionalInterface
public interface MediaEvents {
  /** Called on the packet thread; must not block (the verticle sends it over the event bus). */
  void push(String room, String peerId, String event, JsonObject payload);
}

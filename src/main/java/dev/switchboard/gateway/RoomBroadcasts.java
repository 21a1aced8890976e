package dev.switchboard.gateway;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.channel.ChannelSocket;
import dev.switchboard.channel.LocalPubSub;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * Room events for the sockets of one gateway instance: one bus consumer per room with local members,
 * fanned out to them with a single encoding (the subject of an event is skipped).
 */
final class RoomBroadcasts {
  private final EventBus bus;
  private final LocalPubSub pubSub = new LocalPubSub();
  private final Map<String, MessageConsumer<JsonObject>> consumers = new HashMap<>();
  /** Who is in the rooms, from the same events: kept exactly as long as they arrive. */
  private final RoomMembers members = new RoomMembers();

  RoomBroadcasts(EventBus bus) {
    this.bus = bus;
  }

  /** Completes once this instance is sure to receive the room's events. */
  Future<Void> subscribe(String room, String peerId, ChannelSocket socket) {
    String topic = RoomChannel.topic(room);
    pubSub.subscribe(topic, peerId, socket);
    MessageConsumer<JsonObject> consumer = consumers.get(room);
    if (consumer == null) {
      consumer = bus.consumer(Addresses.roomEvents(room), message -> {
        RoomEvent event = RoomEvent.fromJson(message.body());
        // before any local socket hears of it: a signal sent after its sender saw the event is judged by it
        members.apply(event);
        pubSub.broadcast(topic, event.kind().wireEvent(), event.payload(), event.peerId());
      });
      consumers.put(room, consumer);
    }
    return consumer.completion();
  }

  RoomMembers members() {
    return members;
  }

  void unsubscribe(String room, String peerId, ChannelSocket socket) {
    if (pubSub.unsubscribe(RoomChannel.topic(room), peerId, socket)) {
      MessageConsumer<JsonObject> consumer = consumers.remove(room);
      if (consumer != null) {
        consumer.unregister();
      }
      members.forgetRoom(room);
    }
  }

}

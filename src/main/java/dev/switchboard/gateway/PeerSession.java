package dev.switchboard.gateway;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.SignalDelivery;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.ChannelHandler;
import dev.switchboard.channel.ChannelSocket;
import dev.switchboard.channel.ExitReason;
import dev.switchboard.channel.SocketLimits;
import dev.switchboard.channel.Transport;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/** One connected peer: its id, its Phoenix socket and its own event-bus address. */
final class PeerSession {
  private final String peerId;
  private final ChannelSocket socket;
  private final Signaling signaling;
  private MessageConsumer<SignalDelivery> inbox;

  PeerSession(String peerId, Transport transport, SocketLimits limits, Signaling signaling) {
    this.peerId = peerId;
    this.signaling = signaling;
    this.socket = new ChannelSocket(transport, this::route, limits);
  }

  String peerId() {
    return peerId;
  }

  ChannelSocket socket() {
    return socket;
  }

  /** Completes when signals sent to this peer's address, from any node, reach it. */
  Future<Void> listen(EventBus bus) {
    inbox = bus.<SignalDelivery>consumer(Addresses.peer(peerId), message -> deliver(message.body()));
    return inbox.completion();
  }

  private ChannelHandler route(String topic, ChannelContext context) {
    if (topic.startsWith(RoomChannel.PREFIX)) {
      return new RoomChannel(topic.substring(RoomChannel.PREFIX.length()), peerId, socket, context, signaling);
    }
    if (topic.startsWith(PeerChannel.PREFIX)) {
      return new PeerChannel(topic, peerId);
    }
    return null;
  }

  /** On {@code peer:<self>} when joined, otherwise on the room topic the two share. */
  private void deliver(SignalDelivery delivery) {
    String event = "signal:" + delivery.kind();
    JsonObject payload = new JsonObject().put("from", delivery.from()).put("body", delivery.body());
    if (!socket.sendBroadcast(PeerChannel.topic(peerId), event, payload)) {
      socket.sendBroadcast(RoomChannel.topic(delivery.room()), event, payload);
    }
  }

  Future<Void> transportClosed() {
    stopListening();
    return socket.onTransportClosed();
  }

  Future<Void> shutdown() {
    return close(ChannelSocket.CLOSE_GOING_AWAY, "server shutting down");
  }

  /** Leaves every channel, then closes the socket with {@code code} (e.g. 1012: the client reconnects). */
  Future<Void> close(short code, String reason) {
    return socket.close(code, reason, ExitReason.SHUTDOWN).onComplete(v -> stopListening());
  }

  private void stopListening() {
    if (inbox != null) {
      inbox.unregister();
      inbox = null;
    }
  }
}

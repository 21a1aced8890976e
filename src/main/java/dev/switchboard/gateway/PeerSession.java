package dev.switchboard.gateway;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.channel.ChannelError;
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
  private final String clientAddress;
  private final ChannelSocket socket;
  private final Signaling signaling;
  private MessageConsumer<SignalDelivery> inbox;

  PeerSession(String peerId, String clientAddress, Transport transport, SocketLimits limits, Signaling signaling) {
    this.peerId = peerId;
    this.clientAddress = clientAddress;
    this.signaling = signaling;
    this.socket = new ChannelSocket(transport, this::route, limits);
  }

  String peerId() {
    return peerId;
  }

  ChannelSocket socket() {
    return socket;
  }

  /** The address its connection slot is counted under. */
  String clientAddress() {
    return clientAddress;
  }

  /**
   * Completes when signals sent to this peer's address, from any node, reach it. Each delivery is answered:
   * empty once the frame was written to this peer's connection, a refusal with the reason otherwise, so the
   * sender's {@code ok} means delivered.
   */
  Future<Void> listen(EventBus bus) {
    inbox = bus.<SignalDelivery>consumer(Addresses.peer(peerId), message -> deliver(message.body())
        .onComplete(done -> {
          if (done.succeeded()) {
            message.reply(null);
          } else {
            message.fail(BusFailure.REFUSED, done.cause() instanceof ChannelError error ? error.reason()
                : ChannelError.PEER_UNREACHABLE);
          }
        }));
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

  /**
   * On {@code peer:<self>} when joined, otherwise on the room topic the two share; only while this socket is
   * in (or joining) that room, whatever the registry believed when it checked.
   */
  private Future<Void> deliver(SignalDelivery delivery) {
    String roomTopic = RoomChannel.topic(delivery.room());
    if (!socket.hasTopic(roomTopic)) {
      return Future.failedFuture(new ChannelError(socket.isClosed() ? ChannelError.PEER_UNREACHABLE
          : ChannelError.UNKNOWN_PEER));
    }
    String event = "signal:" + delivery.kind();
    JsonObject payload = new JsonObject().put("from", delivery.from()).put("body", delivery.body());
    String peerTopic = PeerChannel.topic(peerId);
    return socket.deliver(socket.hasTopic(peerTopic) ? peerTopic : roomTopic, event, payload);
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

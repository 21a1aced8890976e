package dev.switchboard.gateway;

import dev.switchboard.auth.AccessGrant;
import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.IceServersReply;
import dev.switchboard.bus.PeerKick;
import dev.switchboard.bus.SignalDelivery;
import dev.switchboard.bus.TurnRevocation;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.ChannelError;
import dev.switchboard.channel.ChannelHandler;
import dev.switchboard.channel.ChannelSocket;
import dev.switchboard.channel.ExitReason;
import dev.switchboard.channel.SocketLimits;
import dev.switchboard.channel.Transport;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One connected peer: its id, its Phoenix socket, its own event-bus address, and its access grant (null in
 * open mode without a token: each join then brings its own unverified profile).
 */
final class PeerSession {
  static final String NOT_SUBSCRIBED = "not_subscribed";

  private final String peerId;
  private final String clientAddress;
  private final ChannelSocket socket;
  private final Signaling signaling;
  private AccessGrant grant;
  /** TURN usernames handed to this peer: revoked on every relay when the session ends. */
  private final List<String> turnUsernames = new ArrayList<>(2);
  private MessageConsumer<Object> inbox;
  private boolean ended;

  PeerSession(String peerId, String clientAddress, Transport transport, SocketLimits limits, Signaling signaling,
              AccessGrant grant) {
    this.peerId = peerId;
    this.clientAddress = clientAddress;
    this.signaling = signaling;
    this.grant = grant;
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

  AccessGrant grant() {
    return grant;
  }

  /** {@code auth:refresh}: a fresh token of the same identity replaces the grant (rejoins keep working). */
  void refreshGrant(AccessGrant fresh) {
    grant = fresh;
  }

  /** Fresh ICE servers for this peer; the TURN username is remembered for revocation. */
  Future<IceServersReply> iceServers(String identity) {
    return signaling.iceServers().forPeer(peerId, identity).map(reply -> {
      if (reply.username() != null && !turnUsernames.contains(reply.username())) {
        turnUsernames.add(reply.username());
      }
      return reply;
    });
  }

  /**
   * Completes when messages sent to this peer's address, from any node, reach it. A signal is answered empty
   * once its frame was written to this peer's connection, a refusal with the reason otherwise, so the
   * sender's {@code ok} means delivered. A kick closes a room channel.
   */
  Future<Void> listen(EventBus bus) {
    inbox = bus.consumer(Addresses.peer(peerId), this::onMessage);
    return inbox.completion();
  }

  private void onMessage(Message<Object> message) {
    if (message.body() instanceof SignalDelivery delivery) {
      deliver(delivery).onComplete(done -> {
        if (done.succeeded()) {
          message.reply(null);
        } else {
          message.fail(BusFailure.REFUSED, done.cause() instanceof ChannelError error ? error.reason()
              : ChannelError.PEER_UNREACHABLE);
        }
      });
      return;
    }
    String op = message.headers().get(Addresses.PEER_OP);
    if (Addresses.PEER_KICK.equals(op) && message.body() instanceof JsonObject json) {
      PeerKick kick = PeerKick.fromJson(json);
      socket.closeChannel(RoomChannel.topic(kick.room()), new JsonObject().put("reason", kick.reason()));
      if (!socket.hasRoomChannel()) {
        // replaced or removed from its last room: no longer admitted anywhere, so no relay for it either
        revokeTurnCredentials();
      }
    } else if (Addresses.PEER_ICE.equals(op) && message.body() instanceof JsonObject json) {
      answerIceRequest(message, json.getString("identity"));
    } else {
      message.fail(BusFailure.REFUSED, "unknown_op");
    }
  }

  /** An HTTP caller with a token of this peer's identity asks for ICE servers: only while admitted to a room. */
  private void answerIceRequest(Message<Object> message, String identity) {
    boolean admitted = socket.channelCount() > 0 && grant != null && grant.identity().equals(identity)
        && grant.verified();
    if (!admitted || ended) {
      message.fail(BusFailure.REFUSED, "unauthorized");
      return;
    }
    iceServers(identity).onComplete(done -> {
      if (done.succeeded()) {
        message.reply(done.result().toJson());
      } else {
        message.fail(BusFailure.REFUSED, "turn_credentials_unavailable");
      }
    });
  }

  private ChannelHandler route(String topic, ChannelContext context) {
    if (topic.startsWith(RoomChannel.PREFIX)) {
      return new RoomChannel(topic.substring(RoomChannel.PREFIX.length()), this, context, signaling);
    }
    if (topic.startsWith(PeerChannel.PREFIX)) {
      return new PeerChannel(topic, peerId);
    }
    return null;
  }

  /**
   * On {@code peer:<self>} when joined, otherwise on the room topic the two share; only while this socket is
   * in (or joining) that room, whatever the registry believed when it checked. A peer whose grant does not
   * subscribe takes signals from admins only.
   */
  private Future<Void> deliver(SignalDelivery delivery) {
    String roomTopic = RoomChannel.topic(delivery.room());
    if (!socket.hasTopic(roomTopic)) {
      return Future.failedFuture(new ChannelError(socket.isClosed() ? ChannelError.PEER_UNREACHABLE
          : ChannelError.UNKNOWN_PEER));
    }
    if (grant != null && !grant.subscribe() && !delivery.fromAdmin()) {
      signaling.metrics().accessRefused("signal", NOT_SUBSCRIBED);
      return Future.failedFuture(new ChannelError(NOT_SUBSCRIBED));
    }
    String event = "signal:" + delivery.kind();
    JsonObject payload = new JsonObject().put("from", delivery.from()).put("body", delivery.body());
    String peerTopic = PeerChannel.topic(peerId);
    return socket.deliver(socket.hasTopic(peerTopic) ? peerTopic : roomTopic, event, payload);
  }

  Future<Void> transportClosed() {
    return socket.onTransportClosed().onComplete(v -> end());
  }

  Future<Void> shutdown() {
    return close(ChannelSocket.CLOSE_GOING_AWAY, "server shutting down");
  }

  /** Leaves every channel, then closes the socket with {@code code} (e.g. 1012: the client reconnects). */
  Future<Void> close(short code, String reason) {
    return socket.close(code, reason, ExitReason.SHUTDOWN).onComplete(v -> end());
  }

  /** The session is over: its address goes away and no relay accepts its TURN credentials any more. */
  private void end() {
    if (ended) {
      return;
    }
    ended = true;
    if (inbox != null) {
      inbox.unregister();
      inbox = null;
    }
    revokeTurnCredentials();
  }

  /** Every relay of the cluster refuses this peer's credentials from now on and tears its allocations down. */
  private void revokeTurnCredentials() {
    if (!turnUsernames.isEmpty()) {
      signaling.bus().publish(Addresses.TURN_REVOKE, new TurnRevocation(peerId, List.copyOf(turnUsernames)).toJson());
      turnUsernames.clear();
    }
  }
}

package dev.switchboard.gateway;

import dev.switchboard.auth.AccessGrant;
import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.IceServersReply;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.MemberUpdate;
import dev.switchboard.bus.PeerKick;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SessionHandover;
import dev.switchboard.bus.MediaPush;
import dev.switchboard.bus.SignalDelivery;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.ChannelError;
import dev.switchboard.channel.ChannelHandler;
import dev.switchboard.channel.ChannelSocket;
import dev.switchboard.channel.ExitReason;
import dev.switchboard.channel.FrameCodec;
import dev.switchboard.channel.SocketLimits;
import dev.switchboard.channel.Transport;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import dev.switchboard.session.HeldSignals;
import dev.switchboard.session.ResumeTokens;
import dev.switchboard.session.SessionRooms;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One peer: its id, its Phoenix socket, its own event-bus address, and its access grant (null in open mode
 * without a token: each join then brings its own unverified profile).
 *
 * <p>A session outlives a socket lost without {@code phx_leave} for {@code session.resume-seconds}
 * (protocol.md §7): it stays in its rooms as disconnected, keeps its address and holds the signals sent to it,
 * until a socket with one of its resume tokens takes it over (here or on another node) or the window ends.
 */
final class PeerSession {
  static final String NOT_SUBSCRIBED = "not_subscribed";
  static final String RESUME_EXPIRED = "resume_expired";
  private static final short CLOSE_RESUMED_ELSEWHERE = 4001;
  private static final Logger LOG = Logger.getLogger(PeerSession.class.getName());

  enum Phase {
    LIVE,
    /** Its socket is gone; held for a resume until the window ends. */
    DISCONNECTED,
    /** Another socket took it over: nothing of it is left here. */
    HANDED_OVER,
    ENDED
  }

  private final String peerId;
  private final String clientAddress;
  private final ChannelSocket socket;
  private final Signaling signaling;
  private AccessGrant grant;
  /** Revoked on every relay when the session ends or is no longer admitted anywhere. */
  private final PeerTurnCredentials turn;
  private MessageConsumer<Object> inbox;
  private Phase phase = Phase.LIVE;
  private final SessionRooms rooms = new SessionRooms();
  private final HeldSignals<SignalDelivery> heldSignals = new HeldSignals<>();
  /** This peer's signals in flight, per target: a pair's order across relay paths. */
  private final SignalLanes<SignalRelay.Path> lanes = new SignalLanes<>();
  private long holdTimer = -1;
  /** This socket came with a resume token that was refused: its first room join says so. */
  private boolean resumeRefused;
  private Runnable onEnded = () -> { };

  PeerSession(String peerId, String clientAddress, Transport transport, SocketLimits limits, Signaling signaling,
              AccessGrant grant) {
    this.peerId = peerId;
    this.clientAddress = clientAddress;
    this.signaling = signaling;
    this.grant = grant;
    this.socket = new ChannelSocket(transport, this::route, limits);
    this.turn = new PeerTurnCredentials(peerId, signaling);
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
    return turn.issue(identity);
  }

  /**
   * Completes when messages sent to this peer's address, from any node, reach it. A signal is answered empty
   * once its frame was written to this peer's connection, a refusal with the reason otherwise, so the
   * sender's {@code ok} means delivered. A kick closes a room channel.
   */
  Future<Void> listen(EventBus bus) {
    inbox = bus.consumer(Addresses.peer(peerId), this::onMessage);
    // reachable directly from this node's gateways exactly while its address is registered
    signaling.localPeers().add(this, signaling.vertx().getOrCreateContext());
    return inbox.completion();
  }

  SignalLanes<SignalRelay.Path> lanes() {
    return lanes;
  }

  /**
   * A signal handed over by a gateway of this node, on this session's event loop: delivered as one from its
   * address would be; refused {@code peer_unreachable} once the session moved or ended.
   */
  Future<Void> deliverDirect(SignalDelivery delivery) {
    if (phase == Phase.HANDED_OVER || phase == Phase.ENDED) {
      return Future.failedFuture(new ChannelError(ChannelError.PEER_UNREACHABLE));
    }
    return deliver(delivery);
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
      if (!socket.closeChannel(RoomChannel.topic(kick.room()), new JsonObject().put("reason", kick.reason()))) {
        dropHeldRoom(kick.room()); // the registry removed it already
      }
      if (!socket.hasRoomChannel() && !rooms.anyHeld()) {
        // replaced or removed from its last room: no longer admitted anywhere, so no relay for it either
        turn.revoke();
      }
    } else if (Addresses.PEER_RESUME.equals(op) && message.body() instanceof JsonObject json) {
      handOver(message, json.getString("token"));
    } else if (Addresses.PEER_ICE.equals(op) && message.body() instanceof JsonObject json) {
      answerIceRequest(message, json.getString("identity"));
    } else if (Addresses.PEER_MEDIA.equals(op) && message.body() instanceof JsonObject json) {
      MediaPushes.deliver(socket, message, MediaPush.fromJson(json));
    } else {
      message.fail(BusFailure.REFUSED, "unknown_op");
    }
  }

  /** An HTTP caller with a token of this peer's identity asks for ICE servers: only while admitted to a room. */
  private void answerIceRequest(Message<Object> message, String identity) {
    boolean admitted = socket.hasRoomChannel() && grant != null && grant.identity().equals(identity)
        && grant.verified();
    if (!admitted || phase != Phase.LIVE) {
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
    boolean held = !socket.hasTopic(roomTopic) && rooms.holds(delivery.room());
    if (!socket.hasTopic(roomTopic) && !held) {
      return Future.failedFuture(new ChannelError(socket.isClosed() ? ChannelError.PEER_UNREACHABLE
          : ChannelError.UNKNOWN_PEER));
    }
    if (grant != null && !grant.subscribe() && !delivery.fromAdmin()) {
      signaling.metrics().accessRefused("signal", NOT_SUBSCRIBED);
      return Future.failedFuture(new ChannelError(NOT_SUBSCRIBED));
    }
    if (held) {
      return hold(delivery);
    }
    return write(delivery);
  }

  private Future<Void> write(SignalDelivery delivery) {
    String topic = topicFor(delivery);
    return socket.deliverFrame(topic, signalFrame(topic, delivery));
  }

  private String topicFor(SignalDelivery delivery) {
    String peerTopic = PeerChannel.topic(peerId);
    return socket.hasTopic(peerTopic) ? peerTopic : RoomChannel.topic(delivery.room());
  }

  /** {@code [null, null, topic, "signal:<kind>", {"from", "body"}]}, written without an intermediate JsonObject. */
  private static String signalFrame(String topic, SignalDelivery delivery) {
    return FrameCodec.signal(topic, "signal:" + delivery.kind(), delivery.from(), delivery.body());
  }

  /**
   * The socket is gone. A session still in rooms (left as disconnected by its room channels) is held for a
   * resume; any other ends now.
   */
  Future<Void> transportClosed() {
    return socket.onTransportClosed().onComplete(v -> {
      if (phase == Phase.HANDED_OVER) {
        return;
      }
      if (signaling.resumeEnabled() && rooms.anyHeld()) {
        phase = Phase.DISCONNECTED;
        startHoldTimer();
      } else {
        end();
      }
    });
  }

  Future<Void> shutdown() {
    return close(ChannelSocket.CLOSE_GOING_AWAY, "server shutting down");
  }

  /** Leaves every channel, then closes the socket with {@code code} (e.g. 1012: the client reconnects). */
  Future<Void> close(short code, String reason) {
    if (phase == Phase.DISCONNECTED) {
      return releaseHeld(RoomEvent.LEFT_CLOSED);
    }
    // a live socket that took a session over may not have rejoined all of its rooms yet: those leave too
    Future<Void> heldLeft = releaseHeld(RoomEvent.LEFT_CLOSED);
    return socket.close(code, reason, ExitReason.SHUTDOWN).compose(v -> heldLeft).onComplete(v -> end());
  }

  boolean isHeld() {
    return phase == Phase.DISCONNECTED;
  }

  /** Another socket took this session over: whatever this socket still had moved with it. */
  boolean isHandedOver() {
    return phase == Phase.HANDED_OVER;
  }

  /** Run once when the session ends here, handed over or not. */
  void onEnded(Runnable action) {
    onEnded = action;
  }

  // ---- resume ---------------------------------------------------------------------------------------

  /** A fresh single-use token for the join reply of {@code room}: the latest one per room is valid. */
  String resumeToken(String room) {
    String nonce = signaling.resumeTokens().newNonce();
    rooms.issued(room, nonce);
    return signaling.resumeTokens().issue(peerId, room, signaling.nodeId(), nonce);
  }

  /** Whether a lost socket keeps this session in its rooms (room channels then mark it disconnected). */
  boolean holdsOnLoss() {
    return signaling.resumeEnabled() && (phase == Phase.LIVE || phase == Phase.DISCONNECTED);
  }

  void joined(String room) {
    rooms.joined(room);
  }

  void held(String room) {
    rooms.held(room);
  }

  void left(String room) {
    rooms.left(room);
  }

  boolean holds(String room) {
    return rooms.holds(room);
  }

  /** True once, for the first room join of a socket whose resume was refused. */
  boolean takeResumeRefusal() {
    boolean refused = resumeRefused;
    resumeRefused = false;
    return refused;
  }

  void refuseResume() {
    resumeRefused = true;
  }

  /** The signals held for a room, written in order (on the socket's peer topic when it is joined). */
  void flushHeld(String room) {
    for (SignalDelivery signal : heldSignals.take(room)) {
      // Their senders got ok already, so a full write queue (64 KiB, while up to 256 KiB are held) must not
      // drop them: they are written past it; the hold cap bounds what that adds.
      String topic = topicFor(signal);
      socket.sendTo(topic, signalFrame(topic, signal));
    }
  }

  /** A new socket of this node takes over a session handed over to it (before {@link #listen}). */
  void adopt(SessionHandover handover) {
    turn.adopt(handover.turnUsernames());
    handover.rooms().forEach(rooms::held);
    handover.held().forEach(signal -> heldSignals.offer(signal.room(), signal, signal.estimatedBytes()));
    if (rooms.anyHeld()) {
      startHoldTimer();
    }
  }

  private Future<Void> hold(SignalDelivery delivery) {
    if (heldSignals.offer(delivery.room(), delivery, delivery.estimatedBytes())) {
      return Future.succeededFuture();
    }
    LOG.info(() -> "signals held for " + peerId + " overflowed: its session ends");
    signaling.metrics().sessionOutcome("overflow");
    releaseHeld(RoomEvent.LEFT_EXPIRED);
    return Future.failedFuture(new ChannelError(ChannelError.PEER_UNREACHABLE));
  }

  private void startHoldTimer() {
    cancelHoldTimer();
    holdTimer = signaling.vertx().setTimer(signaling.resumeMillis(), t -> {
      holdTimer = -1;
      signaling.metrics().sessionOutcome("expired");
      releaseHeld(RoomEvent.LEFT_EXPIRED);
    });
  }

  private void cancelHoldTimer() {
    if (holdTimer >= 0) {
      signaling.vertx().cancelTimer(holdTimer);
      holdTimer = -1;
    }
  }

  /**
   * The held rooms are left ({@code peer:left} with {@code reason}) and their signals dropped; a session
   * without a socket is then over.
   */
  private Future<Void> releaseHeld(String reason) {
    cancelHoldTimer();
    List<Future<Boolean>> leaving = new ArrayList<>();
    for (String room : rooms.heldRooms()) {
      rooms.left(room);
      heldSignals.take(room);
      leaving.add(signaling.registry().leave(new LeaveRequest(room, peerId, reason))
          .onFailure(e -> LOG.log(Level.WARNING, "leave of held " + peerId + " from " + room + " not recorded: "
              + e.getMessage())));
    }
    if (phase == Phase.DISCONNECTED) {
      end();
    } else if (!socket.hasRoomChannel()) {
      turn.revoke(); // a live socket in no room any more: not admitted anywhere
    }
    return Future.join(leaving).mapEmpty();
  }

  private void dropHeldRoom(String room) {
    if (!rooms.holds(room)) {
      return;
    }
    rooms.left(room);
    heldSignals.take(room);
    if (phase == Phase.DISCONNECTED && !rooms.anyHeld()) {
      cancelHoldTimer();
      end();
    }
  }

  /**
   * A socket presents a resume token of this session: when it is the latest one of a room and the session is
   * still here, the session moves to that socket (this one is closed with 4001), with its rooms, grant, held
   * signals and TURN usernames; this node stops counting its memberships. Otherwise {@code resume_expired}.
   */
  private void handOver(Message<Object> message, String token) {
    ResumeTokens.Claims claims = token == null ? null : signaling.resumeTokens().verify(token);
    boolean valid = claims != null && claims.peerId().equals(peerId) && claims.nodeId().equals(signaling.nodeId())
        && (phase == Phase.LIVE || phase == Phase.DISCONNECTED) && rooms.consume(claims.room(), claims.nonce());
    if (!valid) {
      message.fail(BusFailure.REFUSED, RESUME_EXPIRED);
      return;
    }
    phase = Phase.HANDED_OVER;
    cancelHoldTimer();
    List<String> moving = rooms.memberships();
    SessionHandover handover = new SessionHandover(peerId, grant, moving, heldSignals.takeAll(), turn.handOver());
    for (String room : moving) {
      signaling.registry().update(new MemberUpdate(room, peerId, MemberUpdate.Op.FORGET));
    }
    rooms.clear();
    Future<Void> closed = socket.isClosed() ? Future.succeededFuture()
        : socket.close(CLOSE_RESUMED_ELSEWHERE, "session resumed elsewhere", ExitReason.HANDED_OVER);
    // unregistered before the reply, so that the new session's address is never served twice
    closed.compose(v -> unregister()).onComplete(v -> {
      onEnded.run();
      message.reply(handover.toJson());
    });
  }

  private Future<Void> unregister() {
    signaling.localPeers().remove(this);
    MessageConsumer<Object> consumer = inbox;
    inbox = null;
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }

  /** The session is over: its address goes away and no relay accepts its TURN credentials any more. */
  private void end() {
    if (phase == Phase.ENDED || phase == Phase.HANDED_OVER) {
      return;
    }
    phase = Phase.ENDED;
    unregister();
    turn.revoke();
    onEnded.run();
  }
}

package dev.switchboard.channel;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Phoenix Channels V2 socket: framing, heartbeats, join/leave, replies and the per-socket guards.
 * Knows nothing of rooms; the application plugs in through {@link ChannelRouter}.
 *
 * <p>Like a Phoenix socket process it handles joins and leaves one at a time: while one is in flight,
 * later frames wait, so a rejoin can never overtake the leave before it. Pushes are dispatched at once
 * and replied to when their future completes. Not thread-safe: a socket lives on one event loop.
 */
public final class ChannelSocket {
  public static final short CLOSE_GOING_AWAY = 1001;
  public static final short CLOSE_POLICY_VIOLATION = 1008;

  private static final Logger LOG = Logger.getLogger(ChannelSocket.class.getName());
  private static final JsonObject EMPTY = new JsonObject();

  private final Transport transport;
  private final ChannelRouter router;
  private final SocketLimits limits;
  private final FloodGuard flood;
  private final LongSupplier clock;
  private final Map<String, Joined> channels = new HashMap<>(4);
  private final Backlog waiting;
  /** Pushes dispatched and not answered yet, with their total text length. */
  private int pushesInFlight;
  private int pushBytesInFlight;
  /** The channel whose join is in flight (joins are handled one at a time); its pushes wait in its mailbox. */
  private Joined joining;
  private boolean busy;
  private boolean closed;
  private long lastReceived;
  private final SlowReaderWatch slowReader = new SlowReaderWatch();

  public ChannelSocket(Transport transport, ChannelRouter router, SocketLimits limits, LongSupplier nanoClock) {
    this.transport = transport;
    this.router = router;
    this.limits = limits;
    this.clock = nanoClock;
    this.flood = new FloodGuard(limits, nanoClock);
    this.waiting = new Backlog(limits.backlogFrames(), limits.backlogBytes());
    this.lastReceived = nanoClock.getAsLong();
  }

  public ChannelSocket(Transport transport, ChannelRouter router, SocketLimits limits) {
    this(transport, router, limits, System::nanoTime);
  }

  // ---- inbound ----------------------------------------------------------------------------------

  public void onText(String text) {
    if (closed) {
      return;
    }
    lastReceived = clock.getAsLong();
    if (!flood.tryTake()) {
      refuse(FrameCodec.prefix("rate_limited", text));
      return;
    }
    boolean beyondFrameLimit = FrameCodec.exceeds(text, limits.maxFrameBytes());
    if (beyondFrameLimit && FrameCodec.exceeds(text, limits.maxMediaEventBytes())) {
      sendError(FrameCodec.prefix("frame_too_large", text));
      return;
    }
    Frame frame;
    try {
      frame = FrameCodec.decode(text);
    } catch (MalformedFrame malformed) {
      sendError(malformed);
      return;
    }
    if (beyondFrameLimit && !frame.event().startsWith(SocketLimits.MEDIA_EVENT_PREFIX)) {
      // only a media:* event carries an SDP big enough to need the larger limit
      send(FrameCodec.errorReply(frame.joinRef(), frame.ref(), frame.topic(), "frame_too_large"));
      return;
    }
    if (!busy) {
      dispatch(frame, text.length());
      return;
    }
    if (!waiting.offer(frame, text.length())) {
      send(FrameCodec.errorReply(frame.joinRef(), frame.ref(), frame.topic(), ChannelError.OVERLOADED));
    }
  }

  /**
   * A WebSocket ping or pong: it costs a token like any message (a client that pings without end is
   * refused and then closed like any other flood). The answer is the caller's: pong only when this
   * returns true.
   */
  public boolean onControlFrame() {
    if (closed) {
      return false;
    }
    if (flood.tryTake()) {
      return true;
    }
    countRefusal();
    return false;
  }

  /** Binary (V2 binary serializer) pushes are not supported: the push is refused with a reply. */
  public void onBinary(Buffer data) {
    if (closed) {
      return;
    }
    lastReceived = clock.getAsLong();
    if (!flood.tryTake()) {
      refuse(FrameCodec.binaryPush("rate_limited", data));
      return;
    }
    sendError(FrameCodec.binaryPush("binary_frames_unsupported", data));
  }

  private void refuse(MalformedFrame refusal) {
    if (!countRefusal()) {
      sendError(refusal);
    }
  }

  /** @return true when this refusal closed the socket (persistent abuse) */
  private boolean countRefusal() {
    if (flood.refusalCloses()) {
      close(CLOSE_POLICY_VIOLATION, "rate limit exceeded", ExitReason.SOCKET_CLOSED);
      return true;
    }
    return false;
  }

  private void dispatch(Frame frame, int length) {
    String topic = frame.topic();
    String event = frame.event();
    if (FrameCodec.PHOENIX_TOPIC.equals(topic) && "heartbeat".equals(event)) {
      send(FrameCodec.reply(null, frame.ref(), topic, true, EMPTY));
      return;
    }
    if ("phx_join".equals(event)) {
      join(frame);
      return;
    }
    Joined joined = channels.get(topic);
    if ("phx_leave".equals(event)) {
      if (joined == null) {
        send(FrameCodec.reply(frame.joinRef(), frame.ref(), topic, true, EMPTY));
      } else if (!isStale(joined, frame)) {
        leave(joined, frame);
      }
      return;
    }
    if (joined == null) {
      send(FrameCodec.errorReply(null, frame.ref(), topic, "unmatched topic"));
    } else if (!isStale(joined, frame)) {
      push(joined, frame, length);
    }
  }

  private static boolean isStale(Joined joined, Frame frame) {
    return frame.joinRef() != null && !frame.joinRef().equals(joined.joinRef);
  }

  private void join(Frame frame) {
    String topic = frame.topic();
    Joined previous = channels.get(topic);
    if (previous == null && channels.size() >= limits.maxChannels()) {
      send(FrameCodec.errorReply(frame.joinRef(), frame.ref(), topic, "too many channels joined"));
      return;
    }
    Joined next = new Joined(topic, frame.joinRef());
    ChannelHandler handler = router.route(topic, next);
    if (handler == null) {
      send(FrameCodec.errorReply(null, frame.ref(), topic, "unmatched topic"));
      return;
    }
    next.handler = handler;
    busy = true;
    joining = next;
    Future<Void> cleared = previous == null ? Future.succeededFuture() : end(previous, ExitReason.DUPLICATE_JOIN);
    cleared.compose(v -> call(() -> handler.join(frame.payload()))).onComplete(result -> {
      joining = null;
      if (closed) {
        next.mailbox.failAll(ChannelError.PEER_UNREACHABLE);
        if (result.succeeded()) {
          end(next, ExitReason.SOCKET_CLOSED);
        }
        return;
      }
      if (result.succeeded()) {
        channels.put(topic, next);
        send(FrameCodec.reply(frame.joinRef(), frame.ref(), topic, true, orEmpty(result.result())));
      } else {
        send(FrameCodec.errorReply(frame.joinRef(), frame.ref(), topic, reasonOf(result.cause(), "join crashed")));
      }
      // Phoenix's wire order on a duplicate join: new reply, old instance's phx_close, then the new channel's pushes
      if (previous != null) {
        send(FrameCodec.encode(previous.joinRef, previous.joinRef, topic, "phx_close", EMPTY));
      }
      if (result.succeeded()) {
        handler.afterJoin();
        next.mailbox.flush(this::send);
      } else {
        next.mailbox.failAll(ChannelError.UNKNOWN_PEER);
      }
      resume();
    });
  }

  private void leave(Joined joined, Frame frame) {
    send(FrameCodec.reply(frame.joinRef(), frame.ref(), joined.topic, true, EMPTY));
    send(FrameCodec.encode(joined.joinRef, joined.joinRef, joined.topic, "phx_close", EMPTY));
    busy = true;
    end(joined, ExitReason.LEAVE).onComplete(v -> resume());
  }

  private void push(Joined joined, Frame frame, int length) {
    // what waits for an answer (a registry, a target's confirmation) is bounded like what waits to be read
    if (pushesInFlight >= limits.inFlightFrames() || pushBytesInFlight + length > limits.inFlightBytes()) {
      send(FrameCodec.errorReply(frame.joinRef(), frame.ref(), joined.topic, ChannelError.OVERLOADED));
      return;
    }
    pushesInFlight++;
    pushBytesInFlight += length;
    call(() -> joined.handler.handleIn(frame.event(), frame.payload())).onComplete(result -> {
      pushesInFlight--;
      pushBytesInFlight -= length;
      if (closed) {
        return;
      }
      if (result.succeeded()) {
        if (frame.ref() != null) {
          send(FrameCodec.reply(frame.joinRef(), frame.ref(), joined.topic, true, orEmpty(result.result())));
        }
        return;
      }
      Throwable cause = result.cause();
      if (frame.ref() != null) {
        send(FrameCodec.errorReply(frame.joinRef(), frame.ref(), joined.topic, reasonOf(cause, "channel_crash")));
      }
      if (!(cause instanceof ChannelError) && channels.get(joined.topic) == joined) {
        LOG.log(Level.WARNING, "channel " + joined.topic + " crashed on " + frame.event(), cause);
        send(FrameCodec.encode(joined.joinRef, joined.joinRef, joined.topic, "phx_error",
            new JsonObject().put("reason", "channel_crash")));
        end(joined, ExitReason.CRASH);
      }
    });
  }

  private void resume() {
    busy = false;
    Backlog.Waiting next;
    while (!busy && !closed && (next = waiting.poll()) != null) {
      dispatch(next.frame(), next.length());
    }
  }

  // ---- endings ----------------------------------------------------------------------------------

  /** Ends one channel instance exactly once; the handler's failure is logged, never propagated. */
  private Future<Void> end(Joined joined, ExitReason reason) {
    channels.remove(joined.topic, joined);
    if (joined.ended) {
      return Future.succeededFuture();
    }
    joined.ended = true;
    return call(() -> joined.handler.terminate(reason)).recover(e -> {
      LOG.log(Level.WARNING, "terminate of " + joined.topic + " failed", e);
      return Future.succeededFuture();
    });
  }

  private Future<Void> endAll(ExitReason reason) {
    List<Future<Void>> endings = new ArrayList<>(channels.size());
    for (Joined joined : List.copyOf(channels.values())) {
      endings.add(end(joined, reason));
    }
    return Future.join(endings).mapEmpty();
  }

  /** The transport is gone (client close, idle timeout, network): every channel ends now. */
  public Future<Void> onTransportClosed() {
    closed = true;
    waiting.clear();
    return endAll(ExitReason.SOCKET_CLOSED);
  }

  /**
   * Called periodically: a socket whose outbound queue has stayed full for {@code slowReaderNanos} is
   * closed, and its peer leaves its rooms now, not when the client finally reads or the connection drops.
   *
   * @return true when this call closed the socket
   */
  public boolean checkWriteBacklog(long slowReaderNanos) {
    if (closed || !slowReader.overdue(transport.writeQueueFull(), clock.getAsLong(), slowReaderNanos)) {
      return false;
    }
    close(CLOSE_POLICY_VIOLATION, "client not reading", ExitReason.SOCKET_CLOSED);
    return true;
  }

  public boolean isClosed() {
    return closed;
  }

  /** Ends every channel, then closes the transport with the given code. */
  public Future<Void> close(short code, String reason, ExitReason exit) {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    waiting.clear();
    return endAll(exit).onComplete(v -> transport.close(code, reason));
  }

  /**
   * The server ends a joined channel on its own ({@code replaced}, {@code removed}): {@code phx_close} with the
   * channel's join_ref and {@code payload} (phoenix.js then does not rejoin), and the handler ends with
   * {@link ExitReason#KICKED}. False when the topic is not joined.
   */
  public boolean closeChannel(String topic, JsonObject payload) {
    Joined joined = channels.get(topic);
    if (joined == null || closed) {
      return false;
    }
    send(FrameCodec.encode(joined.joinRef, joined.joinRef, topic, "phx_close", payload));
    end(joined, ExitReason.KICKED);
    return true;
  }

  // ---- outbound ---------------------------------------------------------------------------------

  /** Nanos (of the socket's clock) since the client last sent anything. */
  public long quietNanos() {
    return clock.getAsLong() - lastReceived;
  }

  public boolean isJoined(String topic) {
    return channels.containsKey(topic);
  }

  /** Joined, or its join is in flight (frames for it are then held until the join reply went out). */
  public boolean hasTopic(String topic) {
    return channels.containsKey(topic) || joining != null && joining.topic.equals(topic);
  }

  /** Whether any {@code room:} topic is joined. */
  public boolean hasRoomChannel() {
    return channels.keySet().stream().anyMatch(topic -> topic.startsWith("room:"));
  }

  public int channelCount() {
    return channels.size();
  }

  /**
   * A server message for one client on a topic it joined (or is joining), with both refs null as Phoenix
   * sends broadcasts. Completes when the frame was written to the connection; fails with a
   * {@link ChannelError} when it was not and never will be: the socket is closed or closing, its outbound
   * queue is full, or it has not joined the topic.
   */
  public Future<Void> deliver(String topic, String event, JsonObject payload) {
    return deliverFrame(topic, FrameCodec.encode(null, null, topic, event, payload));
  }

  /** {@link #deliver} of a frame already encoded for this topic (a relayed signal: FrameCodec.signal). */
  public Future<Void> deliverFrame(String topic, String frame) {
    if (closed || transport.writeQueueFull()) {
      return Future.failedFuture(new ChannelError(ChannelError.PEER_UNREACHABLE));
    }
    return sendTo(topic, frame);
  }

  /**
   * An already encoded frame on a topic, shared by every recipient of a broadcast: written when the topic is
   * joined, held in order when its join is in flight.
   */
  public Future<Void> sendTo(String topic, String frame) {
    if (closed) {
      return Future.failedFuture(new ChannelError(ChannelError.PEER_UNREACHABLE));
    }
    if (channels.containsKey(topic)) {
      return transport.send(frame);
    }
    if (joining != null && joining.topic.equals(topic)) {
      return joining.mailbox.hold(frame);
    }
    return Future.failedFuture(new ChannelError(ChannelError.UNKNOWN_PEER));
  }

  private Future<Void> send(String text) {
    if (closed) {
      return Future.failedFuture(new ChannelError(ChannelError.PEER_UNREACHABLE));
    }
    return transport.send(text);
  }

  private void sendError(MalformedFrame error) {
    send(FrameCodec.errorReply(error.joinRef(), error.ref(), error.topic(), error.reason()));
  }

  private static String reasonOf(Throwable cause, String crash) {
    return cause instanceof ChannelError error ? error.reason() : crash;
  }

  private static JsonObject orEmpty(JsonObject response) {
    return response == null ? EMPTY : response;
  }

  private static <T> Future<T> call(java.util.function.Supplier<Future<T>> action) {
    try {
      Future<T> future = action.get();
      return future == null ? Future.succeededFuture() : future;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private final class Joined implements ChannelContext {
    final String topic;
    final String joinRef;
    final Mailbox mailbox;
    ChannelHandler handler;
    boolean ended;

    Joined(String topic, String joinRef) {
      this.topic = topic;
      this.joinRef = joinRef;
      this.mailbox = new Mailbox(limits.mailboxFrames(), limits.mailboxBytes());
    }

    @Override
    public String topic() {
      return topic;
    }

    @Override
    public void push(String event, JsonObject payload) {
      if (channels.get(topic) == this) {
        send(FrameCodec.encode(joinRef, null, topic, event, payload));
      }
    }
  }
}

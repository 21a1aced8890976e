package dev.switchboard.turn.listen;

import dev.switchboard.turn.allocation.ClientLink;
import dev.switchboard.turn.allocation.FiveTuple;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The path back to one TURN client on TCP or TLS, whose connection lives on a Vert.x event loop. Packet threads
 * never wait for it: a send copies the frame into the connection's queue and wakes the event loop once for
 * whatever has queued up meanwhile. Bytes count against the bound from the send until the socket has written
 * them; a frame that would pass it is dropped whole and counted (media: a client that stops reading loses its
 * own packets and slows nobody else), so the stream never loses its framing.
 */
final class StreamLink implements ClientLink {
  private final NetSocket socket;
  private final Context context;
  private final FiveTuple fiveTuple;
  private final int maxQueuedBytes;
  private final LongAdder dropped;
  private final LongAdder sent;
  final long openedAt;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final ConcurrentLinkedQueue<Buffer> outbound = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private volatile boolean authenticated;
  private volatile boolean closed;

  StreamLink(NetSocket socket, Context context, FiveTuple fiveTuple, int maxQueuedBytes, LongAdder dropped,
             LongAdder sent, long openedAt) {
    this.socket = socket;
    this.context = context;
    this.fiveTuple = fiveTuple;
    this.maxQueuedBytes = maxQueuedBytes;
    this.dropped = dropped;
    this.sent = sent;
    this.openedAt = openedAt;
  }

  @Override
  public FiveTuple fiveTuple() {
    return fiveTuple;
  }

  @Override
  public void authenticated() {
    authenticated = true;
  }

  boolean isAuthenticated() {
    return authenticated;
  }

  @Override
  public void send(ByteBuffer data) {
    if (closed) {
      return;
    }
    int length = data.remaining();
    if (queuedBytes.addAndGet(length) > maxQueuedBytes) {
      queuedBytes.addAndGet(-length);
      dropped.increment();
      return;
    }
    byte[] copy = new byte[length];
    data.get(copy);
    outbound.add(Buffer.buffer(copy));
    if (Vertx.currentContext() == context) {
      // a reply to a request read on this very loop: written at once, behind whatever queued before it
      drain();
    } else if (drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  /** On the event loop: hands every queued frame to the socket, in order. */
  private void drain() {
    drainScheduled.set(false);
    Buffer frame;
    while ((frame = outbound.poll()) != null) {
      int length = frame.length();
      sent.add(length);
      socket.write(frame).onComplete(written -> queuedBytes.addAndGet(-length));
    }
  }

  /** The connection ended: later sends are ignored. */
  void markClosed() {
    closed = true;
    outbound.clear();
  }

  @Override
  public void close() {
    context.runOnContext(v -> socket.close());
  }
}

package dev.switchboard.turn;

import dev.switchboard.turn.allocation.ClientLink;
import dev.switchboard.turn.allocation.FiveTuple;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The path back to a client on TCP or TLS, on a Vert.x event loop. Packet threads never wait for it: a
 * send copies the bytes and hands them to the connection's event loop, and when the bytes queued for this
 * client (on their way to the loop, or in the socket's write queue) pass a bound, the packet is dropped and
 * counted. It is media; a client that stops reading loses its own packets and slows nobody else.
 */
final class TlsLink implements ClientLink {
  /** Bytes allowed on their way to the event loop; the socket's own write queue is bounded apart. */
  static final int MAX_PENDING_BYTES = 256 * 1024;

  private final NetSocket socket;
  private final Context context;
  private final FiveTuple fiveTuple;
  private volatile boolean authenticated;
  private final AtomicLong pending = new AtomicLong();
  private final LongAdder dropped;
  private final LongAdder sent;

  TlsLink(NetSocket socket, Context context, FiveTuple fiveTuple, LongAdder dropped, LongAdder sent) {
    this.socket = socket;
    this.context = context;
    this.fiveTuple = fiveTuple;
    this.dropped = dropped;
    this.sent = sent;
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
    int length = data.remaining();
    if (pending.addAndGet(length) > MAX_PENDING_BYTES) {
      pending.addAndGet(-length);
      dropped.increment();
      return;
    }
    byte[] copy = new byte[length];
    data.get(copy);
    context.runOnContext(v -> {
      pending.addAndGet(-length);
      if (socket.writeQueueFull()) {
        dropped.increment();
        return;
      }
      sent.add(length);
      socket.write(Buffer.buffer(copy));
    });
  }

  @Override
  public void close() {
    context.runOnContext(v -> socket.close());
  }
}

package dev.switchboard.gateway;

import dev.switchboard.channel.ChannelError;
import dev.switchboard.channel.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;

import java.util.concurrent.TimeUnit;

/**
 * A Vert.x server WebSocket as a channel transport. Closing always completes: Vert.x starts its closing
 * timeout only once the close frame was flushed, which never happens for a client that stops reading, so
 * the TCP connection is dropped here after {@code closeTimeoutMillis} whatever the client does.
 *
 * <p>Text frames are written to the Netty channel without a flush, and the socket is flushed once by a task
 * queued behind the first unflushed write (a relay writes to many sockets per turn of the event loop, and to
 * the same socket several times; Vert.x would flush, one syscall, per frame).
 * Unflushed frames count against the channel's write buffer like flushed ones, so {@link #writeQueueFull} and
 * the slow-reader cut-off see them. A send's future still completes when its frame was written to the
 * connection (Netty's write promise, completed on the socket's context).
 */
final class WebSocketTransport implements Transport {
  /** Unflushed text beyond which a socket is flushed at once (about a socket buffer's worth of frames). */
  private static final int FLUSH_AT_BYTES = 32 * 1024;
  private final ServerWebSocket ws;
  private final Channel channel;
  private final long closeTimeoutMillis;
  private final int maxFrameBytes;
  private final ContextInternal context;
  private final Runnable flush = this::flushNow;
  private boolean flushScheduled;
  private int unflushedBytes;
  private boolean closing;

  /**
   * @param channel the Netty channel of the upgraded connection
   * @param maxFrameBytes a message above this goes out in fragments of at most this size, as Vert.x sends it
   */
  WebSocketTransport(ServerWebSocket ws, Channel channel, long closeTimeoutMillis, int maxFrameBytes) {
    this.ws = ws;
    this.channel = channel;
    this.closeTimeoutMillis = closeTimeoutMillis;
    this.maxFrameBytes = maxFrameBytes;
    // the socket's context: write futures complete on it, as Vert.x's own writes do
    this.context = (ContextInternal) java.util.Objects.requireNonNull(Vertx.currentContext(), "not on a Vert.x context");
  }

  /** The Netty channel under the socket, for the guards that sit below Vert.x (control frames). */
  Channel channel() {
    return channel;
  }

  @Override
  public Future<Void> send(String text) {
    if (closing || ws.isClosed()) {
      return Future.failedFuture(new ChannelError(ChannelError.PEER_UNREACHABLE));
    }
    PromiseInternal<Void> written = context.promise();
    ByteBuf bytes = ByteBufUtil.writeUtf8(channel.alloc(), text);
    int length = bytes.readableBytes();
    if (length <= maxFrameBytes) {
      channel.write(new TextWebSocketFrame(bytes)).addListener(written);
    } else {
      writeFragments(bytes, written);
    }
    scheduleFlush(length);
    return written.future();
  }

  private void writeFragments(ByteBuf bytes, PromiseInternal<Void> written) {
    int length = bytes.readableBytes();
    for (int offset = 0; offset < length; offset += maxFrameBytes) {
      int size = Math.min(maxFrameBytes, length - offset);
      ByteBuf part = bytes.retainedSlice(offset, size);
      boolean last = offset + size == length;
      WebSocketFrame frame = offset == 0 ? new TextWebSocketFrame(false, 0, part)
          : new ContinuationWebSocketFrame(last, 0, part);
      if (last) {
        channel.write(frame).addListener(written);
      } else {
        channel.write(frame, channel.voidPromise());
      }
    }
    bytes.release();
  }

  /**
   * One flush per socket for what the current event-loop task, and every task queued behind it, wrote to it: a
   * task queued now, not at the end of the loop's iteration, which under a flood of tasks could hold the frames
   * (and the senders' ok) for the loop's whole task quantum. A long run of writes is flushed as it goes.
   */
  private void scheduleFlush(int bytes) {
    unflushedBytes += bytes;
    if (unflushedBytes >= FLUSH_AT_BYTES) {
      flushNow();
      return;
    }
    if (!flushScheduled) {
      flushScheduled = true;
      channel.eventLoop().execute(flush);
    }
  }

  private void flushNow() {
    flushScheduled = false;
    if (unflushedBytes > 0) {
      unflushedBytes = 0;
      channel.flush();
    }
  }

  /**
   * The channel's write buffer is above its high-water mark (the connection's write queue size): Vert.x's own
   * queue only fills once the channel is unwritable, and this transport's frames bypass it.
   */
  @Override
  public boolean writeQueueFull() {
    return !ws.isClosed() && (!channel.isWritable() || ws.writeQueueFull());
  }

  /**
   * Closes the TCP connection below Vert.x: a close through the whole pipeline would reach Vert.x's WebSocket
   * connection, which waits for the close handshake that a client that does not read never completes.
   */
  private void drop() {
    if (!channel.isOpen()) {
      return;
    }
    ChannelHandlerContext first = channel.pipeline().firstContext();
    if (first != null) {
      first.close();
    } else {
      channel.close();
    }
  }

  @Override
  public void close(short code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    if (!ws.isClosed()) {
      flushNow(); // what was written this turn goes before the close frame
      ws.close(code, reason);
    }
    channel.eventLoop().schedule(this::drop, closeTimeoutMillis, TimeUnit.MILLISECONDS);
  }
}

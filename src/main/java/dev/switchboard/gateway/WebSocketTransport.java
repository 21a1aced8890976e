package dev.switchboard.gateway;

import dev.switchboard.channel.ChannelError;
import dev.switchboard.channel.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Future;
import io.vertx.core.http.ServerWebSocket;

import java.util.concurrent.TimeUnit;

/**
 * A Vert.x server WebSocket as a channel transport. Closing always completes: Vert.x starts its closing
 * timeout only once the close frame was flushed, which never happens for a client that stops reading, so
 * the TCP connection is dropped here after {@code closeTimeoutMillis} whatever the client does.
 */
final class WebSocketTransport implements Transport {
  private final ServerWebSocket ws;
  private final Channel channel;
  private final long closeTimeoutMillis;
  private boolean closing;

  /** @param channel the Netty channel of the upgraded connection */
  WebSocketTransport(ServerWebSocket ws, Channel channel, long closeTimeoutMillis) {
    this.ws = ws;
    this.channel = channel;
    this.closeTimeoutMillis = closeTimeoutMillis;
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
    return ws.writeTextMessage(text);
  }

  @Override
  public boolean writeQueueFull() {
    return !ws.isClosed() && ws.writeQueueFull();
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
      ws.close(code, reason);
    }
    channel.eventLoop().schedule(this::drop, closeTimeoutMillis, TimeUnit.MILLISECONDS);
  }
}

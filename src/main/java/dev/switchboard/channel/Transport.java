package dev.switchboard.channel;

import io.vertx.core.Future;

/** The socket under a {@link ChannelSocket}; in production a Vert.x ServerWebSocket. */
public interface Transport {
  /** Queues a text frame; the future completes when it was written to the connection, fails if it never will be. */
  Future<Void> send(String text);

  /** True while the connection's outbound queue is above its limit (the client is not reading fast enough). */
  boolean writeQueueFull();

  /** Starts a close handshake; the connection is dropped after the close timeout even if the client never answers. */
  void close(short code, String reason);
}

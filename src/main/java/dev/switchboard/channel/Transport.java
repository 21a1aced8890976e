package dev.switchboard.channel;

/** The socket under a {@link ChannelSocket}; in production a Vert.x ServerWebSocket. */
public interface Transport {
  void send(String text);

  void close(short code, String reason);
}

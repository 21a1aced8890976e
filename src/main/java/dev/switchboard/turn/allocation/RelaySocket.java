package dev.switchboard.turn.allocation;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * An allocation's relayed transport address: the UDP socket peers send to. Two kinds exist, one per way the
 * relay moves UDP (plain NIO channels, or Netty's native epoll channels with batched system calls).
 */
public interface RelaySocket {
  /**
   * Sends the buffer's remaining bytes to the peer without blocking the caller: what the socket cannot take now
   * is lost, as on the wire.
   */
  void send(ByteBuffer payload, InetSocketAddress peer) throws IOException;

  void close();
}

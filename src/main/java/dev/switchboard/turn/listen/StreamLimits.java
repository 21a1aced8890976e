package dev.switchboard.turn.listen;

import java.time.Duration;

/**
 * What one stream listener (TURN over TCP or over TLS) lets clients hold: connections in total and from one
 * source address, how long a connection may stay without authenticating a request, and how many bytes may
 * wait to be written to one client before packets to it are dropped.
 */
public record StreamLimits(int maxConnections, int maxConnectionsPerIp, Duration authTimeout, int sendQueueBytes) {
  /** TURN over TCP unless configured otherwise ({@code turn.tcp}). */
  public static final StreamLimits TCP_DEFAULT = new StreamLimits(10_000, 200, Duration.ofSeconds(10), 256 * 1024);
  /** A send queue must hold at least a UDP datagram's worth, or the largest relayed packets are always dropped. */
  public static final int MIN_SEND_QUEUE_BYTES = 64 * 1024;

  public StreamLimits {
    if (maxConnections < 1 || maxConnectionsPerIp < 1 || sendQueueBytes < MIN_SEND_QUEUE_BYTES
        || authTimeout.isNegative() || authTimeout.isZero()) {
      throw new IllegalArgumentException("stream limits out of range: " + maxConnections + ", "
          + maxConnectionsPerIp + ", " + authTimeout + ", " + sendQueueBytes);
    }
  }
}

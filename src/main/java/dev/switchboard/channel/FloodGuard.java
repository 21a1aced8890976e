package dev.switchboard.channel;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The message budget of one socket: a token bucket for everything the client sends (text, binary, ping and
 * pong frames alike), and the count of refusals in a row after which the socket is closed. Not thread-safe:
 * a socket lives on one event loop.
 */
final class FloodGuard {
  private static final long REFUSAL_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final TokenBucket bucket;
  private final LongSupplier clock;
  private final int closeAfterRefused;
  private int refusedInARow;
  private long lastRefusal;

  FloodGuard(SocketLimits limits, LongSupplier nanoClock) {
    this.bucket = new TokenBucket(limits.messagesPerSecond(), limits.burst(), nanoClock);
    this.clock = nanoClock;
    this.closeAfterRefused = limits.closeAfterRefused();
  }

  boolean tryTake() {
    return bucket.tryTake();
  }

  /** Counts a refused message; true when the client kept sending without a pause long enough to be closed. */
  boolean refusalCloses() {
    long now = clock.getAsLong();
    if (now - lastRefusal > REFUSAL_MEMORY_NANOS) {
      refusedInARow = 0;
    }
    lastRefusal = now;
    return ++refusedInARow >= closeAfterRefused;
  }
}

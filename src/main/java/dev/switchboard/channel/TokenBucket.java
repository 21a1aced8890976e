package dev.switchboard.channel;

import java.util.function.LongSupplier;

/** Message rate limit of one socket; not thread-safe (a socket lives on one event loop). */
public final class TokenBucket {
  private final double perNano;
  private final double capacity;
  private final LongSupplier clock;
  private double tokens;
  private long last;

  public TokenBucket(int perSecond, int burst, LongSupplier nanoClock) {
    this.perNano = perSecond / 1e9;
    this.capacity = burst;
    this.clock = nanoClock;
    this.tokens = burst;
    this.last = nanoClock.getAsLong();
  }

  public boolean tryTake() {
    long now = clock.getAsLong();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}

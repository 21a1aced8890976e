package dev.switchboard.turn;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * Caps 401/438 answers per source address and second in a fixed table (hash buckets), so that
 * unauthenticated traffic can neither grow memory nor turn the relay into a reflector.
 */
final class UnauthorizedLimiter {
  private static final int BUCKETS = 4096;
  private final int perSecond;
  private final long[] second = new long[BUCKETS];
  private final int[] count = new int[BUCKETS];

  UnauthorizedLimiter(int perSecond) {
    this.perSecond = perSecond;
    Arrays.fill(second, -1);
  }

  synchronized boolean allow(InetAddress source, long nowSeconds) {
    int bucket = (Arrays.hashCode(source.getAddress()) & 0x7fffffff) % BUCKETS;
    if (second[bucket] != nowSeconds) {
      second[bucket] = nowSeconds;
      count[bucket] = 0;
    }
    return ++count[bucket] <= perSecond;
  }
}

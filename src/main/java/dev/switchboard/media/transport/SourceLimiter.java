package dev.switchboard.media.transport;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * Caps, per source IP address and second, the checks from addresses no session knows yet, in a fixed table of hash
 * buckets (the TURN relay's UnauthorizedLimiter pattern): each one costs an HMAC, and unauthenticated traffic must
 * neither grow memory nor buy unbounded CPU. Sources sharing a bucket share its budget, which errs on the side of
 * dropping. Packet thread only, so no locks.
 */
final class SourceLimiter {
  private static final int BUCKETS = 4096;
  private final int perSecond;
  private final long[] second = new long[BUCKETS];
  private final int[] count = new int[BUCKETS];

  SourceLimiter(int perSecond) {
    this.perSecond = perSecond;
    Arrays.fill(second, -1);
  }

  boolean allow(InetAddress source, long nowSeconds) {
    int bucket = (Arrays.hashCode(source.getAddress()) & 0x7fffffff) % BUCKETS;
    if (second[bucket] != nowSeconds) {
      second[bucket] = nowSeconds;
      count[bucket] = 0;
    }
    return ++count[bucket] <= perSecond;
  }
}

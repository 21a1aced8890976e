package dev.switchboard.load;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Latencies in microseconds, in log-linear buckets (64 per power of two, so a percentile is within about
 * 1.6 % of the true value) that any thread may record into without a lock. Fixed size whatever the count:
 * a million samples cost no more memory than ten.
 */
final class LatencyHistogram {
  private static final int SUB_BITS = 6;
  private static final int SUB = 1 << SUB_BITS;
  private static final int MAX_EXPONENT = 42;
  private static final int BUCKETS = (MAX_EXPONENT - SUB_BITS + 2) * SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  void recordNanos(long nanos) {
    recordMicros(Math.max(0, nanos / 1000));
  }

  void recordMicros(long micros) {
    counts.incrementAndGet(index(micros));
  }

  static int index(long micros) {
    if (micros < SUB) {
      return (int) micros;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(micros);
    if (exponent > MAX_EXPONENT) {
      return BUCKETS - 1;
    }
    int mantissa = (int) (micros >>> (exponent - SUB_BITS)) & (SUB - 1);
    return (exponent - SUB_BITS + 1) * SUB + mantissa;
  }

  /** The smallest value of bucket {@code index}. */
  static long lowest(int index) {
    if (index < SUB) {
      return index;
    }
    int exponent = index / SUB + SUB_BITS - 1;
    int mantissa = index % SUB;
    return (long) (SUB + mantissa) << (exponent - SUB_BITS);
  }

  /** A copy to read percentiles from while recording goes on. */
  Snapshot snapshot() {
    long[] copy = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      copy[i] = counts.get(i);
    }
    return new Snapshot(copy);
  }

  /** Moves everything into a snapshot and starts over (the progress line's last second). */
  Snapshot drain() {
    long[] copy = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      copy[i] = counts.getAndSet(i, 0);
    }
    return new Snapshot(copy);
  }

  void reset() {
    drain();
  }

  /** Frozen counts. */
  static final class Snapshot {
    private final long[] counts;
    private final long total;

    private Snapshot(long[] counts) {
      this.counts = counts;
      long sum = 0;
      for (long c : counts) {
        sum += c;
      }
      this.total = sum;
    }

    long count() {
      return total;
    }

    /** The q-quantile (0 to 1) in milliseconds, or NaN without samples. */
    double millis(double q) {
      if (total == 0) {
        return Double.NaN;
      }
      long rank = Math.max(1, (long) Math.ceil(q * total));
      long seen = 0;
      for (int i = 0; i < counts.length; i++) {
        seen += counts[i];
        if (seen >= rank) {
          // the middle of the bucket: half its width above its lowest value
          long low = lowest(i);
          long high = i + 1 < counts.length ? lowest(i + 1) : low;
          return (low + (high - low) / 2.0) / 1000.0;
        }
      }
      return Double.NaN;
    }

    double maxMillis() {
      for (int i = counts.length - 1; i >= 0; i--) {
        if (counts[i] > 0) {
          long low = lowest(i);
          long high = i + 1 < counts.length ? lowest(i + 1) : low;
          return (low + (high - low) / 2.0) / 1000.0;
        }
      }
      return Double.NaN;
    }
  }
}

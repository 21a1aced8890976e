package dev.switchboard.bench.media;

/**
 * One-way latencies of many streams in one mergeable histogram: fixed 10 µs buckets up to 200 ms (a sample above
 * lands in an overflow bucket that reports the largest sample seen), so a run of millions of packets costs 160 KB
 * and every receiver thread fills its own histogram without locking; {@link #merge} adds them up at the end.
 * Quantiles are the upper edge of the bucket that holds the sample of rank ceil(q·n), so they never understate.
 * Negative samples (a clock step; send and receive use the same {@link System#nanoTime}, so none is expected)
 * are counted in the first bucket. Not thread-safe.
 */
public final class LatencyHistogram {
  static final long BUCKET_NANOS = 10_000;
  static final int BUCKETS = 20_000;

  private final long[] counts = new long[BUCKETS + 1];
  private long samples;
  private long maxNanos = Long.MIN_VALUE;

  public void record(long nanos) {
    int bucket = nanos <= 0 ? 0 : (int) Math.min(BUCKETS, nanos / BUCKET_NANOS);
    counts[bucket]++;
    samples++;
    maxNanos = Math.max(maxNanos, nanos);
  }

  public void merge(LatencyHistogram other) {
    for (int i = 0; i <= BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    samples += other.samples;
    maxNanos = Math.max(maxNanos, other.maxNanos);
  }

  public long samples() {
    return samples;
  }

  /** The largest sample, or -1 without samples. */
  public long maxNanos() {
    return samples == 0 ? -1 : maxNanos;
  }

  /** The latency at this quantile (0 &lt; q ≤ 1) in nanoseconds, as a bucket's upper edge; -1 without samples. */
  public long quantileNanos(double quantile) {
    if (quantile <= 0 || quantile > 1) {
      throw new IllegalArgumentException("quantile must be in (0, 1]: " + quantile);
    }
    if (samples == 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(quantile * samples));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return Math.min((i + 1) * BUCKET_NANOS, maxNanos); // the edge, or the largest sample when that is lower
      }
    }
    return maxNanos; // in the overflow bucket: the largest sample is the honest bound
  }
}

package dev.switchboard.media.client;

import java.util.Arrays;

/**
 * What one receiver saw of one stream, for specs and benchmarks: packets received, packets lost by gaps in the
 * 16-bit sequence (extended across wraps, RFC 3550 §A.1; a late or duplicate packet is counted as received and
 * evens a gap out, as RTCP's cumulative loss does), and latency samples from the send time the kit's publishers
 * put into every payload (same host, same {@link System#nanoTime} clock). Thread-safe.
 */
public final class ReceiverStats {
  private long received;
  private long firstExtended = -1;
  private long highestExtended = -1;
  private long[] latencies = new long[1024];
  private int samples;

  /** One received packet; {@code sendNanos} below 0 means it carried no send time. */
  public synchronized void record(int sequence, long sendNanos, long receiveNanos) {
    received++;
    long extended = extend(sequence & 0xffff);
    if (firstExtended < 0) {
      firstExtended = extended;
      highestExtended = extended;
    } else if (extended > highestExtended) {
      highestExtended = extended;
    } else if (extended < firstExtended) {
      firstExtended = extended; // reordered before the first packet we saw
    }
    if (sendNanos >= 0) {
      if (samples == latencies.length) {
        latencies = Arrays.copyOf(latencies, samples * 2);
      }
      latencies[samples++] = receiveNanos - sendNanos;
    }
  }

  public synchronized long received() {
    return received;
  }

  /** Expected minus received, never below 0 (duplicates could push it there). */
  public synchronized long lost() {
    return firstExtended < 0 ? 0 : Math.max(0, highestExtended - firstExtended + 1 - received);
  }

  public synchronized int latencySamples() {
    return samples;
  }

  /** The latency at this quantile (0..1) in nanoseconds, or -1 without samples. */
  public synchronized long latencyQuantileNanos(double quantile) {
    if (samples == 0) {
      return -1;
    }
    long[] sorted = Arrays.copyOf(latencies, samples);
    Arrays.sort(sorted);
    int index = (int) Math.min(samples - 1, Math.max(0, Math.ceil(quantile * samples) - 1));
    return sorted[index];
  }

  /** Picks the extended sequence number nearest the highest so far (RFC 3550 §A.1's wrap handling). */
  private long extend(int sequence) {
    if (highestExtended < 0) {
      return sequence + (1L << 16); // room below for packets reordered before the first
    }
    long base = highestExtended & ~0xffffL;
    long candidate = base + sequence;
    if (candidate - highestExtended > (1 << 15)) {
      candidate -= 1 << 16;
    } else if (highestExtended - candidate > (1 << 15)) {
      candidate += 1 << 16;
    }
    return candidate;
  }
}

package dev.switchboard.media.forward;

/**
 * Round-trip time to one peer from the reception reports it sends about our sender reports (RFC 3550 §6.4.1:
 * RTT = A − LSR − DLSR). Rather than turning {@code now} into NTP, the time each of our recent sender reports left is
 * remembered by its LSR key (the middle 32 bits of its NTP timestamp), so RTT = now − sent − DLSR on one monotonic
 * clock. Smoothed like TCP's SRTT (RFC 6298, gain 1/8). Single-threaded; no allocation.
 */
public final class RttEstimator {
  private static final int REMEMBERED = 8;

  private final long[] keys = new long[REMEMBERED];
  private final long[] sentAt = new long[REMEMBERED];
  private int next;
  private int count;
  private long latest = -1;
  private long smoothed = -1;

  /** We sent a sender report with this 64-bit NTP timestamp at {@code now}. */
  public void senderReportSent(long ntp, long now) {
    keys[next] = (ntp >>> 16) & Seq.TS_MASK;
    sentAt[next] = now;
    next = (next + 1) % REMEMBERED;
    count = Math.min(count + 1, REMEMBERED);
  }

  /**
   * A report block about our stream arrived with these LSR/DLSR fields; returns the RTT sample in nanoseconds, or
   * -1 when the block refers to no sender report we remember (LSR 0: the peer has none yet).
   */
  public long reportReceived(long lsr, long dlsr, long now) {
    if (lsr == 0) {
      return -1;
    }
    for (int i = 0; i < count; i++) {
      if (keys[i] == (lsr & Seq.TS_MASK)) {
        long delayNanos = (dlsr & Seq.TS_MASK) * 1_000_000_000L / 65_536L;
        long sample = Math.max(0, now - sentAt[i] - delayNanos);
        latest = sample;
        smoothed = smoothed < 0 ? sample : smoothed + (sample - smoothed) / 8;
        return sample;
      }
    }
    return -1;
  }

  /** The latest sample, -1 before the first. */
  public long latestNanos() {
    return latest;
  }

  /** The smoothed RTT, -1 before the first sample. */
  public long rttNanos() {
    return smoothed;
  }

  /** The smoothed RTT, or {@code fallback} before the first sample. */
  public long rttNanos(long fallback) {
    return smoothed < 0 ? fallback : smoothed;
  }
}

package dev.switchboard.media.forward;

/**
 * The bitrate the node tells a publisher it may send (REMB, draft-alvestrand-rmcat-remb), driven by the loss the node
 * itself reports to that publisher in its receiver reports.
 *
 * <p>Why: Chrome's sender takes the minimum of its own estimate and the REMB it receives. With no REMB at all, or a
 * REMB that never grows, it stays near its start bitrate. So this mirrors Chrome's loss-based controller
 * ({@code SendSideBandwidthEstimation}): below 2 % loss the value grows 8 % per second, between 2 and 10 % it holds,
 * above 10 % it drops to {@code rate × (1 − 0.5 × loss)} (at most once per 300 ms, as a reaction needs time to show).
 * The value never exceeds the configured maximum, nor the lowest estimate the subscribers report (without simulcast,
 * sending more than the weakest subscriber can take only makes it lose packets).
 *
 * <p>{@link #poll} says when to send: about every second, and at once when the value dropped by 3 % or more (the
 * publisher should slow down now, not in a second). Single-threaded; no allocation.
 */
public final class BandwidthFeedback {
  public static final long DEFAULT_START_BPS = 300_000L;
  public static final long DEFAULT_MIN_BPS = 30_000L;
  public static final long DEFAULT_MAX_VIDEO_BPS = 2_500_000L;
  private static final double INCREASE_PER_SECOND = 1.08;
  private static final double LOW_LOSS = 0.02;
  private static final double HIGH_LOSS = 0.10;
  private static final long DECREASE_SPACING_NANOS = 300_000_000L;
  private static final long SEND_INTERVAL_NANOS = 1_000_000_000L;
  private static final double SIGNIFICANT_DROP = 0.97;

  private final long minBps;
  private final long maxBps;
  private double estimate;
  private long subscriberCap = Long.MAX_VALUE;
  private long incomingBps = -1;
  private boolean updated;
  private long lastUpdate;
  private boolean decreased;
  private long lastDecrease;
  private long lastSentBps = -1;
  private long lastSentAt;

  public BandwidthFeedback() {
    this(DEFAULT_START_BPS, DEFAULT_MIN_BPS, DEFAULT_MAX_VIDEO_BPS);
  }

  public BandwidthFeedback(long startBps, long minBps, long maxBps) {
    if (minBps <= 0 || maxBps < minBps || startBps < minBps || startBps > maxBps) {
      throw new IllegalArgumentException("start " + startBps + ", min " + minBps + ", max " + maxBps);
    }
    this.minBps = minBps;
    this.maxBps = maxBps;
    this.estimate = startBps;
  }

  /** The node sent the publisher a receiver report with this fraction lost (0-255, in 1/256). */
  public void lossReported(int fractionLost, long now) {
    double loss = Math.max(0, Math.min(255, fractionLost)) / 256.0;
    double seconds = updated ? Math.min(1.0, Math.max(0, now - lastUpdate) / 1e9) : 0;
    updated = true;
    lastUpdate = now;
    if (loss < LOW_LOSS) {
      estimate *= Math.pow(INCREASE_PER_SECOND, seconds);
    } else if (loss > HIGH_LOSS && (!decreased || now - lastDecrease >= DECREASE_SPACING_NANOS)) {
      // decrease from what actually arrives when that is lower: the cap may have ramped above what the encoder uses
      double base = incomingBps > 0 ? Math.min(estimate, incomingBps) : estimate;
      estimate = base * (1 - 0.5 * loss);
      decreased = true;
      lastDecrease = now;
    }
    estimate = Math.max(minBps, Math.min(estimate, ceiling()));
  }

  /** The lowest bitrate the subscribers of this stream can take (their own REMB/estimates); ≤ 0 for none known. */
  public void subscriberCap(long bps) {
    subscriberCap = bps > 0 ? bps : Long.MAX_VALUE;
    estimate = Math.max(minBps, Math.min(estimate, ceiling()));
  }

  /** The bitrate arriving from the publisher, measured by the caller; ≤ 0 for unknown. */
  public void incomingBitrate(long bps) {
    incomingBps = bps;
  }

  /** The value to announce now, in bits per second. */
  public long estimate() {
    return (long) estimate;
  }

  /** The value to send in a REMB now, or -1 when none is due. */
  public long poll(long now) {
    long value = estimate();
    boolean due = lastSentBps < 0 || now - lastSentAt >= SEND_INTERVAL_NANOS || value < lastSentBps * SIGNIFICANT_DROP;
    if (!due) {
      return -1;
    }
    lastSentBps = value;
    lastSentAt = now;
    return value;
  }

  /** When the next periodic REMB is due (a drop makes one due earlier). */
  public long nextSendAt(long now) {
    return lastSentBps < 0 ? now : lastSentAt + SEND_INTERVAL_NANOS;
  }

  private long ceiling() {
    return Math.max(minBps, Math.min(maxBps, subscriberCap));
  }
}

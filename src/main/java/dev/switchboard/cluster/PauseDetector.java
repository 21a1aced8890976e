package dev.switchboard.cluster;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Notices that this process stood still: SIGSTOP, a stalled VM, a long GC pause. A periodic timer calls
 * {@link #tick()}; when monotonic time jumped past the schedule by more than the threshold, nothing on
 * this node ran meanwhile, so what it believes about the cluster is stale. The threshold is a fraction
 * of the cluster's failure timeout (see {@link #thresholdFor}), far above the scheduling delays of a busy
 * machine, and below the time after which the other members drop this one.
 * <p>
 * Callers on other threads (Hazelcast's membership callback may run on resume before the timer fires
 * again) ask {@link #pauseInProgress()}: the last tick is overdue by more than the threshold.
 * Thread-safe; the clock is injected (monotonic nanoseconds) so specs drive it by hand.
 */
public final class PauseDetector {
  private final LongSupplier nanoClock;
  private final long intervalNanos;
  private final long thresholdNanos;
  private long lastTick;
  private long lastPauseEnd;
  private long lastPauseNanos;
  private boolean paused;

  public PauseDetector(LongSupplier nanoClock, Duration interval, Duration threshold) {
    if (threshold.compareTo(interval) <= 0) {
      throw new IllegalArgumentException("the threshold " + threshold + " must exceed the tick interval " + interval);
    }
    this.nanoClock = nanoClock;
    this.intervalNanos = interval.toNanos();
    this.thresholdNanos = threshold.toNanos();
    this.lastTick = nanoClock.getAsLong();
  }

  /** Half the failure timeout: other members drop a node silent for the whole timeout. */
  public static Duration thresholdFor(int failureTimeoutSeconds) {
    return Duration.ofMillis(failureTimeoutSeconds * 1000L / 2);
  }

  /**
   * The timer's call. Returns how long this node stood still when this tick ends a pause (the time
   * beyond the schedule), else {@link Duration#ZERO}.
   */
  public synchronized Duration tick() {
    long now = nanoClock.getAsLong();
    long late = now - lastTick - intervalNanos;
    lastTick = now;
    if (late <= thresholdNanos) {
      return Duration.ZERO;
    }
    paused = true;
    lastPauseEnd = now;
    lastPauseNanos = late;
    return Duration.ofNanos(late);
  }

  /** The timer is overdue by more than the threshold: this node stood still and has not ticked since. */
  public synchronized boolean pauseInProgress() {
    return nanoClock.getAsLong() - lastTick - intervalNanos > thresholdNanos;
  }

  /** A pause is in progress, or one ended within {@code window}. */
  public synchronized boolean pausedWithin(Duration window) {
    return pauseInProgress() || paused && nanoClock.getAsLong() - lastPauseEnd <= window.toNanos();
  }

  /** The length of the last pause detected by a tick ({@link Duration#ZERO} if none). */
  public synchronized Duration lastPause() {
    return Duration.ofNanos(paused ? lastPauseNanos : 0);
  }

  public Duration threshold() {
    return Duration.ofNanos(thresholdNanos);
  }
}

package dev.switchboard.media.forward;

/**
 * Keyframe requests to one publisher stream, coalesced and throttled. Every subscriber whose decoder is stuck sends
 * PLI (or FIR), and every new subscription needs a keyframe to start; passing each on would make the publisher's
 * encoder emit keyframe after keyframe (large, and each one a quality dip for everybody). So at most one request
 * goes to the publisher per interval; a request arriving inside the interval is remembered and sent when the
 * interval ends, unless a keyframe arrives first (it serves everybody who asked).
 *
 * <p>The interval is the configured one, or the RTT when that is longer: a keyframe cannot arrive sooner than one
 * round trip after the request, so asking again earlier only repeats the question.
 *
 * <p>Usage: call {@link #request} when a PLI/FIR or a subscription comes in and {@link #poll} from a timer at
 * {@link #nextDue()}; whenever either returns true, send one PLI, or a FIR with {@link #firSequenceNumber()}.
 * Single-threaded.
 */
public final class KeyframeRequests {
  /**
   * libwebrtc's sender acts on at most one keyframe request per 300 ms and drops the others; a window of exactly
   * 300 ms on this side sent requests that reached a Chromium a little early and were dropped there.
   */
  public static final long DEFAULT_INTERVAL_NANOS = 400_000_000L;
  /** A request that brought no keyframe within this long is made again while someone still waits for one. */
  public static final long RETRY_NANOS = 1_000_000_000L;

  private final long minInterval;
  private long rtt;
  private boolean pending;
  private boolean everSent;
  private long lastSentAt;
  private int firSeq = -1;
  private long requested;
  private long sent;

  public KeyframeRequests() {
    this(DEFAULT_INTERVAL_NANOS);
  }

  public KeyframeRequests(long intervalNanos) {
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("interval " + intervalNanos);
    }
    this.minInterval = intervalNanos;
  }

  /** Someone needs a keyframe; true when the request is to be sent to the publisher now. */
  public boolean request(long now) {
    requested++;
    pending = true;
    return poll(now);
  }

  /** True when a remembered request is to be sent now (its window ended). */
  public boolean poll(long now) {
    if (!pending || (everSent && now - lastSentAt < interval())) {
      return false;
    }
    pending = false;
    everSent = true;
    lastSentAt = now;
    firSeq = (firSeq + 1) & 0xFF;
    sent++;
    return true;
  }

  /**
   * Someone still waits for a keyframe: true (a request to send now) when nothing is pending and the last request
   * is older than the retry interval. A PLI can be lost on the way, or dropped by the publisher's throttle, and
   * then nothing else would ever ask again.
   */
  public boolean stillWaiting(long now) {
    if (pending || (everSent && now - lastSentAt < Math.max(RETRY_NANOS, 2 * interval()))) {
      return false;
    }
    return request(now);
  }

  /** When {@link #poll} will send the remembered request: {@code Long.MAX_VALUE} when nothing is pending. */
  public long nextDue(long now) {
    if (!pending) {
      return Long.MAX_VALUE;
    }
    return everSent ? Math.max(now, lastSentAt + interval()) : now;
  }

  /** A keyframe arrived from the publisher: whoever asked gets it, nothing is pending any more. */
  public void keyframeReceived() {
    pending = false;
  }

  public boolean pending() {
    return pending;
  }

  /**
   * The FIR command sequence number of the request last sent (RFC 5104 §4.3.1.1: it increases by one with each new
   * request, modulo 256, so the publisher can tell a new request from a repetition).
   */
  public int firSequenceNumber() {
    return Math.max(firSeq, 0);
  }

  /** The round-trip time to the publisher; stretches the interval when longer than the configured one. */
  public void rtt(long rttNanos) {
    rtt = Math.max(0, rttNanos);
  }

  public long interval() {
    return Math.max(minInterval, rtt);
  }

  /** Requests received (from subscribers and subscriptions). */
  public long requested() {
    return requested;
  }

  /** Requests sent to the publisher. */
  public long sent() {
    return sent;
  }
}

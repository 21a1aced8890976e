package dev.switchboard.media.forward;

import dev.switchboard.media.rtp.ReportBlock;

/**
 * What the node reports back to a publisher about one of its streams (RFC 3550 §6.4.1): sequence tracking as in
 * appendix A.1 (probation, dropouts, restarts), losses as in A.3, interarrival jitter as in A.8 and LSR/DLSR from the
 * publisher's last sender report. The publisher's congestion control lives on these reports: Chrome's loss-based
 * estimator reads {@code fractionLost}, and RTT comes from LSR/DLSR; a wrong report starves or floods the stream.
 *
 * <p>Feed every packet that arrives on this SSRC ({@link #received}); RTX packets have their own SSRC and stats.
 * Single-threaded; {@link #received} does not allocate.
 */
public final class ReceiverStats {
  private static final int SEQ_MOD = 1 << 16;
  private static final int MAX_DROPOUT = 3000;
  private static final int MAX_MISORDER = 100;
  private static final int MIN_SEQUENTIAL = 2;
  private static final int MAX_LOST = 0x7FFFFF;
  private static final int MIN_LOST = -0x800000;

  private final int ssrc;
  private final int clockRate;

  private boolean heard;
  private int maxSeq;
  private long cycles;
  private int baseSeq;
  private int badSeq;
  private int probation;
  private long received;
  private long expectedPrior;
  private long receivedPrior;

  private boolean haveTransit;
  private long firstArrival;
  private int transit;
  private long jitter16;

  private long lsr;
  private long srArrival;
  private boolean haveSr;
  private int lastFractionLost;

  public ReceiverStats(int ssrc, int clockRate) {
    if (clockRate <= 0) {
      throw new IllegalArgumentException("clock rate " + clockRate);
    }
    this.ssrc = ssrc;
    this.clockRate = clockRate;
  }

  /**
   * A packet arrived: its sequence number, RTP timestamp and arrival time. False when it does not count (the source
   * is on probation, or the number jumped and the jump is not confirmed yet).
   */
  public boolean received(int seq, long rtpTimestamp, long arrivalNanos) {
    seq &= 0xFFFF;
    if (!heard) {
      heard = true;
      initSeq(seq);
      maxSeq = (seq - 1) & 0xFFFF;
      probation = MIN_SEQUENTIAL;
      firstArrival = arrivalNanos;
    }
    if (!updateSeq(seq)) {
      return false;
    }
    updateJitter(rtpTimestamp, arrivalNanos);
    return true;
  }

  /** A sender report for this SSRC arrived: its 64-bit NTP timestamp and when. */
  public void senderReport(long ntp, long arrivalNanos) {
    lsr = (ntp >>> 16) & Seq.TS_MASK;
    srArrival = arrivalNanos;
    haveSr = true;
  }

  /**
   * The report block to send now; starts a new interval for {@code fractionLost}. Null until the source is valid
   * (nothing to report on).
   */
  public ReportBlock report(long now) {
    if (!valid()) {
      return null;
    }
    long extMax = extendedHighestSeq();
    long expected = extMax - baseSeq + 1;
    long lost = Math.max(MIN_LOST, Math.min(MAX_LOST, expected - received));
    long expectedInterval = expected - expectedPrior;
    expectedPrior = expected;
    long receivedInterval = received - receivedPrior;
    receivedPrior = received;
    long lostInterval = expectedInterval - receivedInterval;
    int fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : (int) ((lostInterval << 8) / expectedInterval);
    lastFractionLost = Math.min(fraction, 255);
    long dlsr = 0;
    if (haveSr) {
      // 1/65536 s units; a delay beyond the 32-bit field's 18 hours cannot happen on a live stream
      dlsr = Math.min(Seq.TS_MASK, (now - srArrival) / 1_000L * 65_536L / 1_000_000L);
    }
    // the wire form: 32-bit fields as their bits
    return new ReportBlock(ssrc, lastFractionLost, (int) lost, (int) extMax, (int) jitter(), haveSr ? (int) lsr : 0,
        (int) dlsr);
  }

  /** True once enough sequential packets arrived for the source to count (RFC 3550 A.1 probation). */
  public boolean valid() {
    return heard && probation == 0;
  }

  public int ssrc() {
    return ssrc;
  }

  /** Interarrival jitter in RTP timestamp units. */
  public long jitter() {
    return jitter16 >> 4;
  }

  public long extendedHighestSeq() {
    return cycles + maxSeq;
  }

  public long packetsReceived() {
    return received;
  }

  /** Packets lost since the start (expected − received), unclamped. */
  public long cumulativeLost() {
    return valid() ? extendedHighestSeq() - baseSeq + 1 - received : 0;
  }

  /** The fraction lost of the last {@link #report}, in 1/256. */
  public int lastFractionLost() {
    return lastFractionLost;
  }

  private void initSeq(int seq) {
    baseSeq = seq;
    maxSeq = seq;
    badSeq = SEQ_MOD + 1; // so seq == badSeq is false
    cycles = 0;
    received = 0;
    receivedPrior = 0;
    expectedPrior = 0;
  }

  /** RFC 3550 A.1 update_seq. */
  private boolean updateSeq(int seq) {
    int udelta = (seq - maxSeq) & 0xFFFF;
    if (probation > 0) {
      if (seq == ((maxSeq + 1) & 0xFFFF)) {
        probation--;
        maxSeq = seq;
        if (probation == 0) {
          initSeq(seq);
          received++;
          return true;
        }
      } else {
        probation = MIN_SEQUENTIAL - 1;
        maxSeq = seq;
      }
      return false;
    }
    if (udelta < MAX_DROPOUT) {
      if (seq < maxSeq) {
        cycles += SEQ_MOD; // wrapped
      }
      maxSeq = seq;
    } else if (udelta <= SEQ_MOD - MAX_MISORDER) {
      if (seq == badSeq) {
        // two sequential packets after a big jump: the sender restarted its numbering
        initSeq(seq);
        haveTransit = false;
      } else {
        badSeq = (seq + 1) & 0xFFFF;
        return false;
      }
    }
    // else: a duplicate or a reordered packet, counted
    received++;
    return true;
  }

  /** RFC 3550 A.8, in the integer form: J += |D| − J/16, with J kept scaled by 16. */
  private void updateJitter(long rtpTimestamp, long arrivalNanos) {
    long arrivalTicks = Seq.ticks(arrivalNanos - firstArrival, clockRate);
    int t = (int) (arrivalTicks - rtpTimestamp);
    if (!haveTransit) {
      haveTransit = true;
      transit = t;
      return;
    }
    long d = Math.abs((long) (t - transit)); // 32-bit arithmetic, as timestamps wrap
    transit = t;
    jitter16 += d - ((jitter16 + 8) >> 4);
  }
}

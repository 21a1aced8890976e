package dev.switchboard.media.forward;

/**
 * Rewrites one outgoing stream for one subscriber: whatever source feeds it (a publisher's SSRC, later perhaps
 * another one when the track is republished), the subscriber sees one SSRC with sequence numbers that never jump
 * and timestamps that advance like a real clock. libwebrtc's jitter buffer treats a sequence gap as loss (it NACKs
 * and eventually asks for a keyframe) and a timestamp jump as a very long frame, so both must stay continuous.
 *
 * <p>Model: each source packet is given an extended (unwrapped) source number; each outgoing packet an extended
 * outgoing number. A bounded window ({@value #WINDOW} packets) remembers, per source number, the outgoing number
 * it got, so a reordered packet maps to the same number it would have had in order; and per outgoing number the
 * source number, so a subscriber's NACK can be answered from the publisher's {@link PacketCache}.
 *
 * <ul>
 *   <li>A packet newer than the highest: the numbers in between are reserved for the missing source packets (they
 *       may still arrive, or the subscriber NACKs them and we answer from the cache) and the packet takes the next.
 *   <li>A packet the forwarder {@link #skip skips} takes no number, so later packets close up: no gap for the
 *       subscriber to NACK. A skipped packet whose number was already reserved (it came late) leaves a gap there,
 *       which the subscriber sees as one lost packet; its number is made unmappable so a NACK for it gets nothing.
 *   <li>A source switch (a forwarded packet with another SSRC) or a restart of numbering (a jump beyond the window):
 *       the outgoing number continues +1 and the timestamp continues from the last one by the wall-clock time since
 *       it was sent, times the clock rate. Packets of a source older than its first forwarded packet are dropped
 *       (they have no number to take). Which source feeds the stream is the routing's decision: a forwarded packet
 *       of another SSRC is a switch (back, too), so the routing stops handing over the old source's packets
 *       ({@link RoomMedia#republish}); its outgoing numbers still map back to it for NACKs.
 *   <li>Duplicates and packets older than the window are dropped ({@link #DROP}).
 * </ul>
 *
 * <p>Single-threaded (the packet thread); no allocation after construction.
 */
public final class StreamRewriter {
  /** Returned by {@link #forward} for a packet that must not be sent. */
  public static final int DROP = -1;
  static final int WINDOW = 1024;
  private static final int MASK = WINDOW - 1;
  /** Consecutive packets from before the window that mean the source restarted its numbering lower. */
  private static final int RESTART_AFTER = 4;
  private static final byte NONE = 0;
  private static final byte RESERVED = 1;
  private static final byte SENT = 2;
  private static final byte SKIPPED = 3;
  /** Extended numbers start here so that a packet a little older than the first never goes negative. */
  private static final long EXT_BASE = 1L << 20;

  private final int outSsrc;
  private final int clockRate;

  private boolean started;
  private boolean reanchor;
  private int srcSsrc;
  private long srcHighest;
  private long tsOffset;
  private int outOfWindow;
  private final long[] srcOut = new long[WINDOW];
  private final byte[] srcState = new byte[WINDOW];

  private long nextOut;
  private final int[] outSrcSeq = new int[WINDOW];
  private final int[] outSrcSsrc = new int[WINDOW];
  private long lastOutTs;
  private long lastSentNanos;

  private long forwarded;
  private long skipped;
  private long dropped;
  private long switches;

  /**
   * @param outSsrc the subscriber's SSRC for this stream
   * @param clockRate the RTP clock of the stream (48000 for Opus, 90000 for video)
   * @param initialSeq the first outgoing sequence number (random, RFC 3550 §5.1)
   * @param initialTimestamp the first outgoing timestamp (random, RFC 3550 §5.1)
   */
  public StreamRewriter(int outSsrc, int clockRate, int initialSeq, long initialTimestamp) {
    if (clockRate <= 0) {
      throw new IllegalArgumentException("clock rate " + clockRate);
    }
    this.outSsrc = outSsrc;
    this.clockRate = clockRate;
    this.nextOut = EXT_BASE + (initialSeq & 0xFFFF);
    this.lastOutTs = initialTimestamp & Seq.TS_MASK;
    java.util.Arrays.fill(outSrcSeq, -1);
  }

  /**
   * The outgoing sequence number for a source packet the forwarder sends, or {@link #DROP}. Its timestamp is
   * {@link #timestamp(long)} of the source one, asked right after.
   */
  public int forward(int ssrc, int seq, long timestamp, long now) {
    seq &= 0xFFFF;
    if (!started || reanchor || ssrc != srcSsrc) {
      return anchor(ssrc, seq, timestamp, now);
    }
    int d = Seq.diff(seq, (int) srcHighest & 0xFFFF);
    if (d > 0) {
      if (d >= WINDOW) {
        return anchor(ssrc, seq, timestamp, now);
      }
      outOfWindow = 0;
      advance(d - 1);
      srcHighest++;
      int out = assign(srcHighest, SENT);
      lastOutTs = timestamp(timestamp);
      lastSentNanos = now;
      forwarded++;
      return out;
    }
    if (-d >= WINDOW) {
      if (++outOfWindow >= RESTART_AFTER) {
        return anchor(ssrc, seq, timestamp, now);
      }
      dropped++;
      return DROP;
    }
    outOfWindow = 0;
    int slot = (int) (srcHighest + d) & MASK;
    if (srcState[slot] != RESERVED) {
      dropped++; // a duplicate, a packet skipped before, or one older than this source's first
      return DROP;
    }
    srcState[slot] = SENT;
    forwarded++;
    return (int) srcOut[slot] & 0xFFFF;
  }

  /**
   * A source packet the forwarder does not send (e.g. video before the first keyframe, a paused track): it takes no
   * outgoing number, so the stream stays gapless. Packets of a source not forwarded yet need no bookkeeping.
   */
  public void skip(int ssrc, int seq, long now) {
    seq &= 0xFFFF;
    skipped++;
    if (!started || reanchor || ssrc != srcSsrc) {
      return;
    }
    int d = Seq.diff(seq, (int) srcHighest & 0xFFFF);
    if (d > 0) {
      if (d >= WINDOW) {
        reanchor = true; // the next forwarded packet starts afresh, as after a switch
        return;
      }
      advance(d - 1);
      srcHighest++;
      int slot = (int) srcHighest & MASK;
      srcState[slot] = SKIPPED;
      return;
    }
    if (-d >= WINDOW) {
      return;
    }
    int slot = (int) (srcHighest + d) & MASK;
    if (srcState[slot] == RESERVED) {
      srcState[slot] = SKIPPED;
      outSrcSeq[(int) srcOut[slot] & MASK] = -1;
    }
  }

  /** The outgoing timestamp of a packet of the current source. */
  public long timestamp(long sourceTimestamp) {
    return (sourceTimestamp + tsOffset) & Seq.TS_MASK;
  }

  /**
   * The outgoing timestamp for a source timestamp of {@code ssrc} (for sender reports), or -1 when that SSRC is not
   * the one feeding the stream now (before the first packet, or after a switch away from it).
   */
  public long timestamp(int ssrc, long sourceTimestamp) {
    if (!started || ssrc != srcSsrc) {
      return -1;
    }
    return timestamp(sourceTimestamp);
  }

  /**
   * The source of an outgoing sequence number a subscriber NACKs: {@code (ssrc << 16) | seq} as an unsigned 48-bit
   * value (see {@link #ssrcOf} and {@link #seqOf}), or -1 when it is unknown, too old, or was skipped.
   */
  public long toSource(int outSeq) {
    if (!started) {
      return -1;
    }
    long newest = nextOut - 1;
    int d = Seq.diff(outSeq & 0xFFFF, (int) newest & 0xFFFF);
    if (d > 0 || -d >= WINDOW) {
      return -1;
    }
    int slot = (int) (newest + d) & MASK;
    int seq = outSrcSeq[slot];
    if (seq < 0) {
      return -1;
    }
    return (Integer.toUnsignedLong(outSrcSsrc[slot]) << 16) | seq;
  }

  public static int ssrcOf(long source) {
    return (int) (source >>> 16);
  }

  public static int seqOf(long source) {
    return (int) source & 0xFFFF;
  }

  public int outgoingSsrc() {
    return outSsrc;
  }

  public int clockRate() {
    return clockRate;
  }

  /** The SSRC feeding the stream now, meaningful once {@link #started()}. */
  public int sourceSsrc() {
    return srcSsrc;
  }

  public boolean started() {
    return started;
  }

  /** The highest outgoing sequence number given so far (the next one is this + 1). */
  public int highestSeq() {
    return (int) (nextOut - 1) & 0xFFFF;
  }

  /** The outgoing timestamp of the newest packet forwarded. */
  public long lastTimestamp() {
    return lastOutTs;
  }

  public long forwarded() {
    return forwarded;
  }

  public long skipped() {
    return skipped;
  }

  public long dropped() {
    return dropped;
  }

  /** How many times the stream started afresh after its first packet: source switches and numbering restarts. */
  public long switches() {
    return switches;
  }

  private int anchor(int ssrc, int seq, long timestamp, long now) {
    long outTs;
    if (started) {
      // the subscriber's jitter buffer sees the new source as the old one continuing after the time that passed
      long ticks = Math.max(1, Seq.ticks(now - lastSentNanos, clockRate));
      outTs = (lastOutTs + ticks) & Seq.TS_MASK;
      switches++;
    } else {
      outTs = lastOutTs;
    }
    tsOffset = (outTs - timestamp) & Seq.TS_MASK;
    srcSsrc = ssrc;
    srcHighest = EXT_BASE + seq;
    java.util.Arrays.fill(srcState, NONE);
    started = true;
    reanchor = false;
    outOfWindow = 0;
    int out = assign(srcHighest, SENT);
    lastOutTs = outTs;
    lastSentNanos = now;
    forwarded++;
    return out;
  }

  /** Reserves outgoing numbers for the {@code missing} source packets after the highest one. */
  private void advance(int missing) {
    for (int i = 0; i < missing; i++) {
      srcHighest++;
      assign(srcHighest, RESERVED);
    }
  }

  private int assign(long srcExt, byte state) {
    int slot = (int) srcExt & MASK;
    long out = nextOut++;
    srcOut[slot] = out;
    srcState[slot] = state;
    int outSlot = (int) out & MASK;
    outSrcSeq[outSlot] = (int) srcExt & 0xFFFF;
    outSrcSsrc[outSlot] = srcSsrc;
    return (int) out & 0xFFFF;
  }
}

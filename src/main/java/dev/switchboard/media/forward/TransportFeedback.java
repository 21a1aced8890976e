package dev.switchboard.media.forward;

import dev.switchboard.media.rtp.TransportCcBuilder;

/**
 * Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01) for one
 * publisher: the arrival time of each packet it numbered with its transport-wide sequence number (every SSRC of its
 * transport, RTX and padding probes included), reported back every {@link #INTERVAL_NANOS}.
 *
 * <p>Why: a Chrome that negotiated transport-cc estimates its bandwidth from this feedback alone (delay-based, and
 * its probes at the start are measured by it); with the extension negotiated and no feedback its estimate fell to
 * the 30 kbps floor within seconds (SfuMediaQualityInNamespaceTest). The node's REMB still caps it.
 *
 * <p>Each sequence number is reported once, in order: from the first one not reported yet to the highest received.
 * A packet that arrives after its number was reported (as lost) stays lost to the sender: late is as bad as lost
 * for its controller. Single-threaded (the packet thread); no allocation after construction.
 */
public final class TransportFeedback {
  /** How often feedback is due while packets arrive (libwebrtc's receiver sends every 50 to 250 ms). */
  public static final long INTERVAL_NANOS = 50_000_000L;
  private static final int WINDOW = 2048;
  private static final int MASK = WINDOW - 1;
  private static final int MAX_PER_FEEDBACK = 1024;
  private static final long EXT_BASE = 1L << 20;

  private final TransportCcBuilder builder = new TransportCcBuilder(MAX_PER_FEEDBACK);
  private final long[] arrivalUs = new long[WINDOW];
  private final long[] arrivalSeq = new long[WINDOW];
  private boolean started;
  private long highest;
  private long nextToReport;
  private int feedbackCount;
  private long lastSentNanos;
  private long received;

  public TransportFeedback() {
    java.util.Arrays.fill(arrivalSeq, -1);
  }

  /** A packet with transport-wide sequence number {@code seq} arrived at {@code nowNanos}. */
  public void received(int seq, long nowNanos) {
    seq &= 0xFFFF;
    long ext;
    if (!started) {
      started = true;
      ext = EXT_BASE + seq;
      highest = ext;
      nextToReport = ext;
      lastSentNanos = nowNanos;
    } else {
      ext = highest + Seq.diff(seq, (int) highest & 0xFFFF);
      if (ext - nextToReport >= WINDOW - MAX_PER_FEEDBACK) {
        nextToReport = ext; // a jump (or feedback not sent for long): start afresh from here
      }
      if (ext < nextToReport) {
        return; // reported already
      }
      highest = Math.max(highest, ext);
    }
    received++;
    int slot = (int) ext & MASK;
    arrivalSeq[slot] = ext;
    arrivalUs[slot] = nowNanos / 1000;
  }

  /** Whether feedback is due: packets not reported yet, and the interval since the last one has passed. */
  public boolean due(long nowNanos) {
    return started && nextToReport <= highest && nowNanos - lastSentNanos >= INTERVAL_NANOS;
  }

  /**
   * Writes the feedback for what arrived since the last one at {@code out[off]} and returns its length, or -1 when
   * there is none or it does not fit. {@code mediaSsrc}: one of the publisher's SSRCs (libwebrtc reads none of it).
   */
  public int write(byte[] out, int off, int senderSsrc, int mediaSsrc, long nowNanos) {
    if (!started || nextToReport > highest) {
      return -1;
    }
    long first = nextToReport;
    while (first <= highest && arrivalSeq[(int) first & MASK] != first) {
      first++;
    }
    if (first > highest) {
      nextToReport = highest + 1;
      return -1;
    }
    builder.reset(senderSsrc, mediaSsrc, (int) nextToReport & 0xFFFF, arrivalUs[(int) first & MASK], feedbackCount);
    long ext = nextToReport;
    long last = nextToReport - 1;
    for (; ext <= highest && ext - nextToReport < MAX_PER_FEEDBACK; ext++) {
      int slot = (int) ext & MASK;
      if (arrivalSeq[slot] != ext) {
        continue;
      }
      if (!builder.addReceived((int) ext & 0xFFFF, arrivalUs[slot])) {
        break;
      }
      last = ext;
    }
    int len = builder.write(out, off);
    if (len < 0) {
      return -1;
    }
    nextToReport = last + 1;
    feedbackCount = (feedbackCount + 1) & 0xFF;
    lastSentNanos = nowNanos;
    return len;
  }

  /** Packets recorded (each number once). */
  public long received() {
    return received;
  }
}

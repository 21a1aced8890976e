package dev.switchboard.media.rtp;

/**
 * One transport-cc feedback ({@link TransportCc}) read back: per reported sequence number whether it arrived and
 * when, relative to the reference time. The node itself does not estimate from feedback yet; the specs and the
 * load client read what the node writes with this.
 */
public final class TransportCcFeedback {
  private final int senderSsrc;
  private final int mediaSsrc;
  private final int baseSequence;
  private final int referenceTime;
  private final int feedbackCount;
  private final byte[] statuses;
  private final int[] arrivalTicks;

  private TransportCcFeedback(int senderSsrc, int mediaSsrc, int baseSequence, int referenceTime, int feedbackCount,
      byte[] statuses, int[] arrivalTicks) {
    this.senderSsrc = senderSsrc;
    this.mediaSsrc = mediaSsrc;
    this.baseSequence = baseSequence;
    this.referenceTime = referenceTime;
    this.feedbackCount = feedbackCount;
    this.statuses = statuses;
    this.arrivalTicks = arrivalTicks;
  }

  /**
   * The feedback at {@code off} within {@code len} bytes, or null when it is not well-formed: chunks or deltas
   * running past the packet, or the reserved two-bit status. Statuses a last chunk holds beyond the packet status
   * count are ignored, as are bytes after the last delta (zero padding without the P bit).
   */
  public static TransportCcFeedback read(byte[] b, int off, int len) {
    int content = RtcpHeader.contentLength(b, off, len, RtcpHeader.RTPFB, RtcpHeader.FMT_TRANSPORT_CC);
    if (content < TransportCc.CHUNKS) {
      return null;
    }
    int end = off + content;
    int count = Bytes.u16(b, off + TransportCc.STATUS_COUNT);
    byte[] statuses = new byte[count];
    int at = off + TransportCc.CHUNKS;
    int n = 0;
    while (n < count) {
      if (at + 2 > end) {
        return null;
      }
      int chunk = Bytes.u16(b, at);
      at += 2;
      if ((chunk & 0x8000) == 0) {
        int status = chunk >>> 13 & 3;
        if (status == 3) {
          return null;
        }
        int run = Math.min(chunk & TransportCc.MAX_RUN, count - n);
        java.util.Arrays.fill(statuses, n, n + run, (byte) status);
        n += run;
      } else if ((chunk & 0x4000) == 0) {
        for (int k = 0; k < TransportCc.ONE_BIT_SYMBOLS && n < count; k++) {
          statuses[n++] = (byte) (chunk >>> TransportCc.ONE_BIT_SYMBOLS - 1 - k & 1);
        }
      } else {
        for (int k = 0; k < TransportCc.TWO_BIT_SYMBOLS && n < count; k++) {
          int status = chunk >>> 2 * (TransportCc.TWO_BIT_SYMBOLS - 1 - k) & 3;
          if (status == 3) {
            return null;
          }
          statuses[n++] = (byte) status;
        }
      }
    }
    int[] arrivalTicks = new int[count];
    int ticks = 0;
    for (int i = 0; i < count; i++) {
      if (statuses[i] == TransportCc.SMALL_DELTA) {
        if (at + 1 > end) {
          return null;
        }
        ticks += b[at++] & 0xff;
      } else if (statuses[i] == TransportCc.LARGE_DELTA) {
        if (at + 2 > end) {
          return null;
        }
        ticks += (short) Bytes.u16(b, at);
        at += 2;
      }
      arrivalTicks[i] = ticks;
    }
    return new TransportCcFeedback(Feedback.senderSsrc(b, off), Feedback.mediaSsrc(b, off),
        Bytes.u16(b, off + TransportCc.BASE_SEQUENCE), Bytes.s24(b, off + TransportCc.REFERENCE_TIME),
        b[off + TransportCc.FEEDBACK_COUNT] & 0xff, statuses, arrivalTicks);
  }

  public int senderSsrc() {
    return senderSsrc;
  }

  public int mediaSsrc() {
    return mediaSsrc;
  }

  public int baseSequence() {
    return baseSequence;
  }

  /** The reference time field: signed, in multiples of 64 ms. */
  public int referenceTime() {
    return referenceTime;
  }

  public int feedbackCount() {
    return feedbackCount;
  }

  /** How many sequence numbers, from the base, the feedback reports on. */
  public int packetStatusCount() {
    return statuses.length;
  }

  /** The {@code index}th reported sequence number: base + index, modulo 2^16. */
  public int sequenceNumber(int index) {
    return baseSequence + index & 0xffff;
  }

  public boolean received(int index) {
    return statuses[index] != TransportCc.NOT_RECEIVED;
  }

  /** Whether the packet's delta was sent in two bytes (it was large or negative). */
  public boolean largeDelta(int index) {
    return statuses[index] == TransportCc.LARGE_DELTA;
  }

  /** A received packet's arrival in microseconds on the receiver's clock: reference time plus the deltas so far. */
  public long arrivalTimeUs(int index) {
    if (!received(index)) {
      throw new IllegalStateException("sequence number " + sequenceNumber(index) + " was not received");
    }
    return referenceTime * TransportCc.REFERENCE_TICK_US + arrivalTicks[index] * TransportCc.DELTA_TICK_US;
  }
}

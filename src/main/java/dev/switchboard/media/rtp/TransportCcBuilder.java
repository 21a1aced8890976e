package dev.switchboard.media.rtp;

/**
 * Builds transport-cc feedback ({@link TransportCc}) from the arrivals of one feedback interval: reset with the
 * first sequence number and a reference time, add each received packet in sequence order with its arrival time,
 * write. Sequence numbers skipped between two additions are reported not received. Reusable and allocation-free
 * after construction, for the packet thread.
 *
 * <p>Arrival times are microseconds on any monotonic clock. The reference time is that clock's time in 64 ms units
 * (truncated, modulo 2^24), and the first delta counts from it, so it stays small. Each delta is rounded down to a
 * 250 µs tick from the previous packet's reconstructed time, not its real one: rounding never accumulates along
 * the feedback, as the receiver sums the deltas.
 *
 * <p>Chunks are chosen greedily: a run of 14 or more equal statuses (or the rest of the feedback) becomes a run
 * length chunk; otherwise the next 14 become a one-bit vector if none needs a large delta; otherwise a run of 7 or
 * more a run length chunk; otherwise the next 7 a two-bit vector.
 */
public final class TransportCcBuilder {
  private final byte[] statuses;
  private final short[] deltas;
  private int senderSsrc;
  private int mediaSsrc;
  private int baseSequence;
  private int referenceTime;
  private int feedbackCount;
  private long lastTimeUs;
  private int count;
  private int deltaBytes;

  /** A builder for feedback about up to {@code maxPackets} sequence numbers (at most 65535). */
  public TransportCcBuilder(int maxPackets) {
    if (maxPackets < 1 || maxPackets > 0xffff) {
      throw new IllegalArgumentException("maxPackets must be 1-65535, got " + maxPackets);
    }
    this.statuses = new byte[maxPackets];
    this.deltas = new short[maxPackets];
  }

  /**
   * Starts a new feedback about sequence numbers from {@code baseSequence}, with deltas counted from
   * {@code referenceTimeUs} (usually the first packet's arrival) and the feedback packet count {@code
   * feedbackCount} (incremented, modulo 256, for each feedback the receiver sends, so the sender tells lost
   * feedback).
   */
  public TransportCcBuilder reset(int senderSsrc, int mediaSsrc, int baseSequence, long referenceTimeUs,
      int feedbackCount) {
    long reference = Math.floorDiv(referenceTimeUs, TransportCc.REFERENCE_TICK_US);
    this.senderSsrc = senderSsrc;
    this.mediaSsrc = mediaSsrc;
    this.baseSequence = baseSequence & 0xffff;
    this.referenceTime = (int) (reference & 0xffffff);
    this.feedbackCount = feedbackCount & 0xff;
    this.lastTimeUs = reference * TransportCc.REFERENCE_TICK_US;
    this.count = 0;
    this.deltaBytes = 0;
    return this;
  }

  /**
   * Adds a packet received at {@code arrivalUs}. False, and nothing added, when {@code sequence} is not after the
   * last one added, lies beyond this builder's capacity, or its delta does not fit in 16 signed bits of 250 µs
   * (about ±8 s): then write what there is and start a new feedback from it.
   */
  public boolean addReceived(int sequence, long arrivalUs) {
    int index = indexOf(sequence);
    if (index < 0) {
      return false;
    }
    long ticks = Math.floorDiv(arrivalUs - lastTimeUs, TransportCc.DELTA_TICK_US);
    if (ticks < Short.MIN_VALUE || ticks > Short.MAX_VALUE) {
      return false;
    }
    fillNotReceived(index);
    boolean small = ticks >= 0 && ticks <= 0xff;
    statuses[index] = (byte) (small ? TransportCc.SMALL_DELTA : TransportCc.LARGE_DELTA);
    deltas[index] = (short) ticks;
    deltaBytes += small ? 1 : 2;
    lastTimeUs += ticks * TransportCc.DELTA_TICK_US;
    count = index + 1;
    return true;
  }

  /** Reports {@code sequence} (and any skipped before it) not received; false as for {@link #addReceived}. */
  public boolean addNotReceived(int sequence) {
    int index = indexOf(sequence);
    if (index < 0) {
      return false;
    }
    fillNotReceived(index + 1);
    count = index + 1;
    return true;
  }

  private int indexOf(int sequence) {
    int index = (sequence - baseSequence) & 0xffff;
    return index < count || index >= statuses.length ? -1 : index;
  }

  private void fillNotReceived(int upTo) {
    for (int i = count; i < upTo; i++) {
      statuses[i] = TransportCc.NOT_RECEIVED;
    }
  }

  /** Sequence numbers reported so far, the packet status count. */
  public int packetStatusCount() {
    return count;
  }

  /** The length {@link #write} will return, padding included. */
  public int length() {
    int unpadded = TransportCc.CHUNKS + 2 * chunks(null, 0) + deltaBytes;
    return (unpadded + 3) / 4 * 4;
  }

  /**
   * Writes the feedback at {@code off} and returns its length, or -1 when it is empty or does not fit. Padding to
   * 32 bits uses RTCP padding (P bit, count in the last byte), as libwebrtc writes it.
   */
  public int write(byte[] b, int off) {
    int length = length();
    if (count == 0 || off < 0 || length > b.length - off) {
      return -1;
    }
    Feedback.writeHeader(b, off, RtcpHeader.RTPFB, RtcpHeader.FMT_TRANSPORT_CC, length, senderSsrc, mediaSsrc);
    Bytes.put16(b, off + TransportCc.BASE_SEQUENCE, baseSequence);
    Bytes.put16(b, off + TransportCc.STATUS_COUNT, count);
    Bytes.put24(b, off + TransportCc.REFERENCE_TIME, referenceTime);
    b[off + TransportCc.FEEDBACK_COUNT] = (byte) feedbackCount;
    int at = off + TransportCc.CHUNKS + 2 * chunks(b, off + TransportCc.CHUNKS);
    for (int i = 0; i < count; i++) {
      if (statuses[i] == TransportCc.SMALL_DELTA) {
        b[at++] = (byte) deltas[i];
      } else if (statuses[i] == TransportCc.LARGE_DELTA) {
        Bytes.put16(b, at, deltas[i]);
        at += 2;
      }
    }
    int padding = off + length - at;
    if (padding > 0) {
      java.util.Arrays.fill(b, at, off + length - 1, (byte) 0);
      b[off + length - 1] = (byte) padding;
      b[off] |= 0x20;
    }
    return length;
  }

  /** Encodes the chunks at {@code at} (or only counts them, with a null buffer) and returns how many. */
  private int chunks(byte[] b, int at) {
    int chunks = 0;
    int i = 0;
    while (i < count) {
      int remaining = count - i;
      int run = runAt(i);
      int chunk;
      int covered;
      if (run >= TransportCc.ONE_BIT_SYMBOLS || run == remaining) {
        chunk = statuses[i] << 13 | run;
        covered = run;
      } else if (noLargeDelta(i, Math.min(TransportCc.ONE_BIT_SYMBOLS, remaining))) {
        covered = Math.min(TransportCc.ONE_BIT_SYMBOLS, remaining);
        chunk = 0x8000;
        for (int k = 0; k < covered; k++) {
          chunk |= statuses[i + k] << TransportCc.ONE_BIT_SYMBOLS - 1 - k;
        }
      } else if (run >= TransportCc.TWO_BIT_SYMBOLS) {
        chunk = statuses[i] << 13 | run;
        covered = run;
      } else {
        covered = Math.min(TransportCc.TWO_BIT_SYMBOLS, remaining);
        chunk = 0xc000;
        for (int k = 0; k < covered; k++) {
          chunk |= statuses[i + k] << 2 * (TransportCc.TWO_BIT_SYMBOLS - 1 - k);
        }
      }
      if (b != null) {
        Bytes.put16(b, at + 2 * chunks, chunk);
      }
      chunks++;
      i += covered;
    }
    return chunks;
  }

  private int runAt(int from) {
    int run = 1;
    while (from + run < count && statuses[from + run] == statuses[from] && run < TransportCc.MAX_RUN) {
      run++;
    }
    return run;
  }

  private boolean noLargeDelta(int from, int n) {
    for (int k = 0; k < n; k++) {
      if (statuses[from + k] == TransportCc.LARGE_DELTA) {
        return false;
      }
    }
    return true;
  }
}

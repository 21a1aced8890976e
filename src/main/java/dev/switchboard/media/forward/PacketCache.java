package dev.switchboard.media.forward;

/**
 * The last packets of one publisher stream, unprotected (after SRTP), so that a subscriber's NACK can be answered
 * without asking the publisher. A fixed ring of pre-allocated slots keyed by the 16-bit sequence number: storing a
 * packet copies it into its slot, nothing is allocated per packet, and memory is bounded at
 * {@code capacity × maxPacketLength} bytes per stream (512 × 1500 ≈ 750 KB, about 1-2 s of 1-2 Mbps video; audio
 * needs far fewer slots).
 *
 * <p>A slot holds the newest packet whose number falls on it; a packet older than its slot's occupant (reordered, or
 * a retransmission after the ring moved on) is not stored. An entry older than {@code maxAge} is treated as missing,
 * which also keeps a number from matching a packet 65536 numbers earlier. Single-threaded (the packet thread).
 */
public final class PacketCache {
  private final int mask;
  private final int maxLength;
  private final long maxAgeNanos;
  private final byte[] data;
  private final int[] seqs;
  private final int[] lengths;
  private final long[] stored;
  private long puts;
  private long tooLong;

  /**
   * @param capacity slots, a power of two up to 32768
   * @param maxPacketLength the longest packet kept (longer ones are refused)
   * @param maxAgeNanos how long a packet is worth retransmitting
   */
  public PacketCache(int capacity, int maxPacketLength, long maxAgeNanos) {
    if (capacity <= 0 || capacity > 32768 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two up to 32768: " + capacity);
    }
    if (maxPacketLength <= 0 || (long) capacity * maxPacketLength > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("max packet length " + maxPacketLength);
    }
    this.mask = capacity - 1;
    this.maxLength = maxPacketLength;
    this.maxAgeNanos = maxAgeNanos;
    this.data = new byte[capacity * maxPacketLength];
    this.seqs = new int[capacity];
    this.lengths = new int[capacity];
    this.stored = new long[capacity];
    java.util.Arrays.fill(seqs, -1);
  }

  /** Copies a packet in; false when it is too long or older than the packet already in its slot. */
  public boolean put(int seq, byte[] buf, int off, int len, long now) {
    seq &= 0xFFFF;
    if (len > maxLength || len < 0) {
      tooLong++;
      return false;
    }
    int slot = seq & mask;
    int occupant = seqs[slot];
    if (occupant >= 0 && occupant != seq && Seq.diff(seq, occupant) < 0 && fresh(slot, now)) {
      return false;
    }
    System.arraycopy(buf, off, data, slot * maxLength, len);
    seqs[slot] = seq;
    lengths[slot] = len;
    stored[slot] = now;
    puts++;
    return true;
  }

  /** Copies packet {@code seq} into {@code dst} at {@code dstOff}; its length, or -1 when it is not (or no longer) here. */
  public int copy(int seq, long now, byte[] dst, int dstOff) {
    int slot = find(seq, now);
    if (slot < 0) {
      return -1;
    }
    System.arraycopy(data, slot * maxLength, dst, dstOff, lengths[slot]);
    return lengths[slot];
  }

  /** A copy of packet {@code seq}, or null; allocates, for callers off the forwarding path and specs. */
  public byte[] get(int seq, long now) {
    int slot = find(seq, now);
    if (slot < 0) {
      return null;
    }
    return java.util.Arrays.copyOfRange(data, slot * maxLength, slot * maxLength + lengths[slot]);
  }

  /** Whether packet {@code seq} is here. */
  public boolean contains(int seq, long now) {
    return find(seq, now) >= 0;
  }

  public int capacity() {
    return mask + 1;
  }

  public int maxPacketLength() {
    return maxLength;
  }

  /** Bytes held by the slots, fixed at construction. */
  public long memoryBytes() {
    return (long) data.length + (mask + 1) * (4L + 4L + 8L);
  }

  public long stored() {
    return puts;
  }

  public long refusedTooLong() {
    return tooLong;
  }

  private int find(int seq, long now) {
    seq &= 0xFFFF;
    int slot = seq & mask;
    return seqs[slot] == seq && fresh(slot, now) ? slot : -1;
  }

  private boolean fresh(int slot, long now) {
    return now - stored[slot] <= maxAgeNanos;
  }
}

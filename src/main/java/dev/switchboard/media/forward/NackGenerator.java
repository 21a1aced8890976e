package dev.switchboard.media.forward;

/**
 * Asks a publisher again for the packets it sent that did not arrive (generic NACK, RFC 4585 §6.2.1), on the
 * publisher leg. A gap in sequence numbers is not yet a loss: packets are often reordered by a few milliseconds, so
 * a missing number is first NACKed after {@code reorderDelay}; then again every RTT (the retransmission had its
 * chance to arrive) up to {@code maxRetries} times; it is abandoned when older than {@code maxAge} (too late to
 * play). When more numbers are missing than {@code maxMissing}, retransmitting them all would be slower than a new
 * keyframe: the list is cleared and {@link #takeKeyframeRequest()} says so.
 *
 * <p>Missing numbers are appended in increasing order, so they sit in a sorted ring: a late arrival is found by
 * binary search, retired entries are tombstones until they reach the head. Single-threaded; no allocation after
 * construction: {@link #pending} fills the caller's array.
 */
public final class NackGenerator {
  public static final long DEFAULT_REORDER_DELAY_NANOS = 20_000_000L;
  public static final long DEFAULT_RTT_NANOS = 100_000_000L;
  public static final int DEFAULT_MAX_RETRIES = 10;
  public static final long DEFAULT_MAX_AGE_NANOS = 1_000_000_000L;
  public static final int DEFAULT_MAX_MISSING = 500;
  private static final long EXT_BASE = 1L << 20;

  private final long reorderDelay;
  private final int maxRetries;
  private final long maxAge;
  private final int maxMissing;
  private final int mask;
  private final long[] ext;
  private final long[] firstSeen;
  private final long[] lastSent;
  private final int[] tries;
  private final boolean[] done;
  private int head;
  private int size;
  private int live;
  private boolean started;
  private long highest;
  private long rtt = DEFAULT_RTT_NANOS;
  private boolean keyframeNeeded;
  private long nacksSent;
  private long recovered;
  private long abandoned;

  public NackGenerator() {
    this(DEFAULT_REORDER_DELAY_NANOS, DEFAULT_MAX_RETRIES, DEFAULT_MAX_AGE_NANOS, DEFAULT_MAX_MISSING);
  }

  public NackGenerator(long reorderDelayNanos, int maxRetries, long maxAgeNanos, int maxMissing) {
    if (maxMissing <= 0 || maxMissing > 16384 || maxRetries <= 0) {
      throw new IllegalArgumentException("maxMissing " + maxMissing + ", maxRetries " + maxRetries);
    }
    this.reorderDelay = reorderDelayNanos;
    this.maxRetries = maxRetries;
    this.maxAge = maxAgeNanos;
    this.maxMissing = maxMissing;
    int capacity = Integer.highestOneBit(maxMissing * 2 - 1) << 1;
    this.mask = capacity - 1;
    this.ext = new long[capacity];
    this.firstSeen = new long[capacity];
    this.lastSent = new long[capacity];
    this.tries = new int[capacity];
    this.done = new boolean[capacity];
  }

  /** A packet arrived (original or retransmission, by its original sequence number). */
  public void received(int seq, long now) {
    seq &= 0xFFFF;
    if (!started) {
      started = true;
      highest = EXT_BASE + seq;
      return;
    }
    int d = Seq.diff(seq, (int) highest & 0xFFFF);
    if (d > 0) {
      int gap = d - 1;
      if (gap > 0) {
        if (live + gap > maxMissing) {
          clear();
          keyframeNeeded = true;
        } else {
          for (int i = 1; i <= gap; i++) {
            append(highest + i, now);
          }
        }
      }
      highest += d;
      return;
    }
    if (d < 0) {
      int i = indexOf(highest + d);
      if (i >= 0) {
        retire(i);
        recovered++;
        trimHead();
      }
    }
  }

  /** A keyframe starts at {@code seq}: nothing before it is needed to decode what follows. */
  public void keyframe(int seq) {
    if (!started) {
      return;
    }
    int d = Seq.diff(seq & 0xFFFF, (int) highest & 0xFFFF);
    if (d > 0) {
      return;
    }
    long from = highest + d;
    for (int i = 0; i < size; i++) {
      int idx = (head + i) & mask;
      if (!done[idx] && ext[idx] < from) {
        retire(idx);
      }
    }
    trimHead();
  }

  /**
   * Fills {@code out} with the sequence numbers to NACK now (at most {@code out.length}, oldest first) and counts
   * them as sent; returns how many. Called every ~10 ms by the packet thread's timer.
   */
  public int pending(long now, int[] out) {
    int n = 0;
    for (int i = 0; i < size; i++) {
      int idx = (head + i) & mask;
      if (done[idx]) {
        continue;
      }
      if (now - firstSeen[idx] > maxAge || tries[idx] >= maxRetries) {
        retire(idx);
        abandoned++;
        continue;
      }
      long due = tries[idx] == 0 ? firstSeen[idx] + reorderDelay : lastSent[idx] + rtt;
      if (now - due >= 0 && n < out.length) {
        out[n++] = (int) ext[idx] & 0xFFFF;
        tries[idx]++;
        lastSent[idx] = now;
        nacksSent++;
      }
    }
    trimHead();
    return n;
  }

  /** True once after too many packets went missing at once: ask the publisher for a keyframe instead. */
  public boolean takeKeyframeRequest() {
    boolean needed = keyframeNeeded;
    keyframeNeeded = false;
    return needed;
  }

  /** The round-trip time to the publisher, the spacing of retries (100 ms until known). */
  public void rtt(long rttNanos) {
    if (rttNanos > 0) {
      rtt = rttNanos;
    }
  }

  /** Numbers still missing and not abandoned. */
  public int missing() {
    return live;
  }

  public long nacksSent() {
    return nacksSent;
  }

  public long recovered() {
    return recovered;
  }

  public long abandoned() {
    return abandoned;
  }

  private void append(long seqExt, long now) {
    if (size == mask + 1) {
      compact();
    }
    int idx = (head + size) & mask;
    ext[idx] = seqExt;
    firstSeen[idx] = now;
    lastSent[idx] = now;
    tries[idx] = 0;
    done[idx] = false;
    size++;
    live++;
  }

  /** Tombstones an entry; the head is trimmed by the caller once it is done iterating. */
  private void retire(int idx) {
    done[idx] = true;
    live--;
  }

  private void trimHead() {
    while (size > 0 && done[head]) {
      head = (head + 1) & mask;
      size--;
    }
  }

  /** Squeezes out tombstones; only when the ring is full of them (capacity ≥ 2 × maxMissing). */
  private void compact() {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      int from = (head + i) & mask;
      if (!done[from]) {
        int to = (head + kept) & mask;
        ext[to] = ext[from];
        firstSeen[to] = firstSeen[from];
        lastSent[to] = lastSent[from];
        tries[to] = tries[from];
        done[to] = false;
        kept++;
      }
    }
    size = kept;
  }

  private int indexOf(long seqExt) {
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int idx = (head + mid) & mask;
      long v = ext[idx];
      if (v < seqExt) {
        lo = mid + 1;
      } else if (v > seqExt) {
        hi = mid - 1;
      } else {
        return done[idx] ? -1 : idx;
      }
    }
    return -1;
  }

  private void clear() {
    head = 0;
    size = 0;
    live = 0;
  }
}

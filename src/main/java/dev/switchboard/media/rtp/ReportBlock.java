package dev.switchboard.media.rtp;

import java.util.ArrayList;
import java.util.List;

/**
 * One reception report block of an SR or RR (RFC 3550 §6.4.1), 24 bytes: about the source {@code ssrc}, the
 * fraction lost since the last report (0-255, in 1/256), the cumulative number lost (24-bit signed: duplicates can
 * make it negative), the extended highest sequence number received, the interarrival jitter in timestamp units,
 * the middle 32 bits of the last SR's NTP timestamp (LSR) and the delay since that SR in 1/65536 s (DLSR).
 * The 32-bit fields are held as ints, bit for bit.
 */
public record ReportBlock(int ssrc, int fractionLost, int cumulativeLost, int extendedHighestSequence, int jitter,
    int lastSenderReport, int delaySinceLastSenderReport) {
  public static final int LENGTH = 24;
  static final int MAX_CUMULATIVE_LOST = 0x7fffff;
  static final int MIN_CUMULATIVE_LOST = -0x800000;

  /** {@code count} blocks one after the other from {@code off} (SR and RR carry them alike); bounds checked by the caller. */
  static List<ReportBlock> readAll(byte[] b, int off, int count) {
    List<ReportBlock> blocks = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      blocks.add(read(b, off + i * LENGTH));
    }
    return blocks;
  }

  /** Reads the block at {@code off}; the caller has checked that 24 bytes are there. */
  public static ReportBlock read(byte[] b, int off) {
    return new ReportBlock(Bytes.i32(b, off), b[off + 4] & 0xff, Bytes.s24(b, off + 5), Bytes.i32(b, off + 8),
        Bytes.i32(b, off + 12), Bytes.i32(b, off + 16), Bytes.i32(b, off + 20));
  }

  /** Writes the 24 bytes at {@code off}; a cumulative loss beyond 24 bits is clamped, as RFC 3550 §6.4.1 says. */
  public void write(byte[] b, int off) {
    Bytes.put32(b, off, ssrc);
    b[off + 4] = (byte) fractionLost;
    Bytes.put24(b, off + 5, Math.max(MIN_CUMULATIVE_LOST, Math.min(MAX_CUMULATIVE_LOST, cumulativeLost)));
    Bytes.put32(b, off + 8, extendedHighestSequence);
    Bytes.put32(b, off + 12, jitter);
    Bytes.put32(b, off + 16, lastSenderReport);
    Bytes.put32(b, off + 20, delaySinceLastSenderReport);
  }

  /** The middle 32 bits of a 64-bit NTP timestamp: what an RR echoes as LSR. */
  public static int middle32(long ntpTimestamp) {
    return (int) (ntpTimestamp >>> 16);
  }
}

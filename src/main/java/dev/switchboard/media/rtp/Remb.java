package dev.switchboard.media.rtp;

import java.util.ArrayList;
import java.util.List;

/**
 * Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03 §2.2): PSFB with FMT 15 (application layer
 * feedback), media source 0, then the ASCII "REMB", the number of SSRCs, the bitrate as a 6-bit exponent and an
 * 18-bit mantissa (bits per second = mantissa * 2^exp), and the SSRCs the estimate applies to. The node sends it to
 * cap a publisher's bitrate by what its subscribers can take.
 */
public record Remb(int senderSsrc, long bitrate, List<Integer> ssrcs) {
  private static final int IDENTIFIER = 'R' << 24 | 'E' << 16 | 'M' << 8 | 'B';
  private static final int MAX_MANTISSA = (1 << 18) - 1;

  public Remb {
    ssrcs = List.copyOf(ssrcs);
    if (bitrate < 0) {
      throw new IllegalArgumentException("negative bitrate " + bitrate);
    }
    if (ssrcs.size() > 255) {
      throw new IllegalArgumentException("at most 255 SSRCs, got " + ssrcs.size());
    }
  }

  /** The REMB at {@code off} within {@code len} bytes, or null when it is not a well-formed one. */
  public static Remb read(byte[] b, int off, int len) {
    int content = RtcpHeader.contentLength(b, off, len, RtcpHeader.PSFB, RtcpHeader.FMT_AFB);
    if (content < Feedback.FCI_OFFSET + 8 || Bytes.i32(b, off + Feedback.FCI_OFFSET) != IDENTIFIER) {
      return null;
    }
    int at = off + Feedback.FCI_OFFSET + 4;
    int count = b[at] & 0xff;
    if (Feedback.FCI_OFFSET + 8 + 4 * count > content) {
      return null;
    }
    int exponent = (b[at + 1] & 0xff) >>> 2;
    long mantissa = Bytes.u24(b, at + 1) & MAX_MANTISSA;
    // an 18-bit mantissa shifted by up to 63 overflows a long beyond 2^63: saturate, it means "no limit"
    long bitrate = mantissa == 0 ? 0 : exponent > Long.numberOfLeadingZeros(mantissa) - 1
        ? Long.MAX_VALUE : mantissa << exponent;
    List<Integer> ssrcs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ssrcs.add(Bytes.i32(b, at + 4 + 4 * i));
    }
    return new Remb(Feedback.senderSsrc(b, off), bitrate, ssrcs);
  }

  public int length() {
    return Feedback.FCI_OFFSET + 8 + 4 * ssrcs.size();
  }

  /**
   * Writes the packet at {@code off} and returns its length, or -1 when it does not fit. The bitrate is rounded
   * down to what exponent and mantissa can say: a cap must not grow in the encoding.
   */
  public int write(byte[] b, int off) {
    int length = length();
    if (off < 0 || length > b.length - off) {
      return -1;
    }
    Feedback.writeHeader(b, off, RtcpHeader.PSFB, RtcpHeader.FMT_AFB, length, senderSsrc, 0);
    int exponent = Math.max(0, 64 - Long.numberOfLeadingZeros(bitrate) - 18);
    long mantissa = bitrate >>> exponent;
    int at = off + Feedback.FCI_OFFSET;
    Bytes.put32(b, at, IDENTIFIER);
    b[at + 4] = (byte) ssrcs.size();
    Bytes.put24(b, at + 5, exponent << 18 | (int) mantissa);
    for (int i = 0; i < ssrcs.size(); i++) {
      Bytes.put32(b, at + 8 + 4 * i, ssrcs.get(i));
    }
    return length;
  }
}

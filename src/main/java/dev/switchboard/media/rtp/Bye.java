package dev.switchboard.media.rtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Goodbye (RFC 3550 §6.6): up to 31 sources that leave, and an optional reason (at most 255 bytes of UTF-8, padded
 * to 32 bits). The node sends one for a subscriber's SSRC when the track it carried goes away.
 */
public record Bye(List<Integer> ssrcs, String reason) {
  public Bye {
    ssrcs = List.copyOf(ssrcs);
    if (ssrcs.size() > 31) {
      throw new IllegalArgumentException("at most 31 sources, got " + ssrcs.size());
    }
    if (reason != null && reason.getBytes(StandardCharsets.UTF_8).length > 255) {
      throw new IllegalArgumentException("a reason holds at most 255 bytes");
    }
  }

  /** The BYE at {@code off} within {@code len} bytes, or null when it is not a well-formed one. */
  public static Bye read(byte[] b, int off, int len) {
    int content = RtcpHeader.contentLength(b, off, len, RtcpHeader.BYE, -1);
    int count = content < 0 ? 0 : RtcpHeader.count(b, off);
    if (content < RtcpHeader.LENGTH + 4 * count) {
      return null;
    }
    List<Integer> ssrcs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ssrcs.add(Bytes.i32(b, off + RtcpHeader.LENGTH + 4 * i));
    }
    int at = off + RtcpHeader.LENGTH + 4 * count;
    String reason = null;
    if (at < off + content) {
      int reasonLength = b[at] & 0xff;
      if (at + 1 + reasonLength > off + content) {
        return null;
      }
      reason = new String(b, at + 1, reasonLength, StandardCharsets.UTF_8);
    }
    return new Bye(ssrcs, reason);
  }

  public int length() {
    int length = RtcpHeader.LENGTH + 4 * ssrcs.size();
    if (reason != null) {
      length += (1 + reason.getBytes(StandardCharsets.UTF_8).length + 3) / 4 * 4;
    }
    return length;
  }

  /** Writes the packet at {@code off} and returns its length, or -1 when it does not fit. */
  public int write(byte[] b, int off) {
    int length = length();
    if (off < 0 || length > b.length - off) {
      return -1;
    }
    RtcpHeader.write(b, off, ssrcs.size(), RtcpHeader.BYE, length);
    int at = off + RtcpHeader.LENGTH;
    for (int ssrc : ssrcs) {
      Bytes.put32(b, at, ssrc);
      at += 4;
    }
    if (reason != null) {
      byte[] text = reason.getBytes(StandardCharsets.UTF_8);
      b[at] = (byte) text.length;
      System.arraycopy(text, 0, b, at + 1, text.length);
      java.util.Arrays.fill(b, at + 1 + text.length, off + length, (byte) 0);
    }
    return length;
  }
}

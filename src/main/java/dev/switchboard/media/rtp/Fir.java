package dev.switchboard.media.rtp;

import java.util.ArrayList;
import java.util.List;

/**
 * Full intra request (RFC 5104 §4.3.1): PSFB with FMT 4, the media source field 0, and one 8-byte FCI entry per
 * source asked for a keyframe: its SSRC, a command sequence number (incremented per new request, so a repeated
 * request is told from a new one) and three reserved bytes.
 */
public record Fir(int senderSsrc, List<Entry> entries) {
  public static final int ENTRY_LENGTH = 8;

  /** One request: the source to send a keyframe and the request's sequence number (0-255). */
  public record Entry(int ssrc, int sequenceNumber) {
  }

  public Fir {
    entries = List.copyOf(entries);
  }

  /** The FIR at {@code off} within {@code len} bytes, or null when it is not a well-formed one. */
  public static Fir read(byte[] b, int off, int len) {
    int content = RtcpHeader.contentLength(b, off, len, RtcpHeader.PSFB, RtcpHeader.FMT_FIR);
    if (content < Feedback.FCI_OFFSET || (content - Feedback.FCI_OFFSET) % ENTRY_LENGTH != 0) {
      return null;
    }
    int count = (content - Feedback.FCI_OFFSET) / ENTRY_LENGTH;
    List<Entry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int at = off + Feedback.FCI_OFFSET + i * ENTRY_LENGTH;
      entries.add(new Entry(Bytes.i32(b, at), b[at + 4] & 0xff));
    }
    return new Fir(Feedback.senderSsrc(b, off), entries);
  }

  public int length() {
    return Feedback.FCI_OFFSET + entries.size() * ENTRY_LENGTH;
  }

  /** Writes the packet at {@code off} and returns its length, or -1 when it does not fit. */
  public int write(byte[] b, int off) {
    int length = length();
    if (off < 0 || length > b.length - off) {
      return -1;
    }
    Feedback.writeHeader(b, off, RtcpHeader.PSFB, RtcpHeader.FMT_FIR, length, senderSsrc, 0);
    for (int i = 0; i < entries.size(); i++) {
      int at = off + Feedback.FCI_OFFSET + i * ENTRY_LENGTH;
      Bytes.put32(b, at, entries.get(i).ssrc());
      b[at + 4] = (byte) entries.get(i).sequenceNumber();
      b[at + 5] = 0;
      b[at + 6] = 0;
      b[at + 7] = 0;
    }
    return length;
  }

  /**
   * Rewrites, in place, every FCI entry naming {@code from} to name {@code to} (a subscriber's SSRC back to the
   * publisher's) and returns how many it rewrote; 0 when the bytes are not a well-formed FIR.
   */
  public static int rewriteSsrc(byte[] b, int off, int len, int from, int to) {
    int content = RtcpHeader.contentLength(b, off, len, RtcpHeader.PSFB, RtcpHeader.FMT_FIR);
    int rewritten = 0;
    for (int at = off + Feedback.FCI_OFFSET; content > 0 && at + ENTRY_LENGTH <= off + content;
        at += ENTRY_LENGTH) {
      if (Bytes.i32(b, at) == from) {
        Bytes.put32(b, at, to);
        rewritten++;
      }
    }
    return rewritten;
  }
}

package dev.switchboard.media.rtp;

/**
 * The common part of RTCP feedback messages (RFC 4585 §6.1): after the header, the SSRC of the packet sender and
 * the SSRC of the media source the feedback is about, then the feedback control information (FCI). An SFU stands
 * between the two ends of every feedback message, so it rewrites both SSRCs in place: the sender to its own SSRC
 * towards the publisher, the media source from the subscriber's SSRC back to the publisher's.
 */
public final class Feedback {
  /** Header, packet sender SSRC and media source SSRC: where the FCI starts. */
  public static final int FCI_OFFSET = 12;

  private Feedback() {
  }

  /** Whether {@code len} bytes at {@code off} hold an RTPFB or PSFB header of this FMT with both SSRCs. */
  public static boolean is(byte[] b, int off, int len, int type, int fmt) {
    return RtcpHeader.contentLength(b, off, len, type, fmt) >= FCI_OFFSET;
  }

  public static int senderSsrc(byte[] b, int off) {
    return Bytes.i32(b, off + 4);
  }

  public static int mediaSsrc(byte[] b, int off) {
    return Bytes.i32(b, off + 8);
  }

  public static void setSenderSsrc(byte[] b, int off, int ssrc) {
    Bytes.put32(b, off + 4, ssrc);
  }

  /**
   * Rewrites the media source field. FIR and REMB leave it 0 and name their sources in the FCI instead:
   * see {@link Fir#rewriteSsrc} and {@link Remb}.
   */
  public static void setMediaSsrc(byte[] b, int off, int ssrc) {
    Bytes.put32(b, off + 8, ssrc);
  }

  /** Writes the 12 bytes every feedback message starts with, for a packet of {@code totalBytes}. */
  static void writeHeader(byte[] b, int off, int type, int fmt, int totalBytes, int senderSsrc, int mediaSsrc) {
    RtcpHeader.write(b, off, fmt, type, totalBytes);
    Bytes.put32(b, off + 4, senderSsrc);
    Bytes.put32(b, off + 8, mediaSsrc);
  }
}

package dev.switchboard.media.rtp;

/**
 * Picture loss indication (RFC 4585 §6.3.1): PSFB with FMT 1 and no FCI, 12 bytes. A subscriber sends it when it
 * cannot decode; the node forwards a coalesced one to the publisher, which answers with a keyframe.
 */
public final class Pli {
  public static final int LENGTH = 12;

  private Pli() {
  }

  public static boolean is(byte[] b, int off, int len) {
    return Feedback.is(b, off, len, RtcpHeader.PSFB, RtcpHeader.FMT_PLI);
  }

  /** Writes a PLI at {@code off} and returns its length, or -1 when it does not fit. */
  public static int write(byte[] b, int off, int senderSsrc, int mediaSsrc) {
    if (off < 0 || LENGTH > b.length - off) {
      return -1;
    }
    Feedback.writeHeader(b, off, RtcpHeader.PSFB, RtcpHeader.FMT_PLI, LENGTH, senderSsrc, mediaSsrc);
    return LENGTH;
  }
}

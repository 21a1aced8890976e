package dev.switchboard.media.rtp;

/**
 * The four bytes every RTCP packet starts with (RFC 3550 §6.4.1): V=2, P, a five-bit count (report blocks, SDES
 * chunks, BYE sources) or, in feedback packets, the FMT (RFC 4585 §6.1), the packet type and the length in 32-bit
 * words minus one. Also the packet types and feedback formats the node speaks.
 */
public final class RtcpHeader {
  public static final int SR = 200;
  public static final int RR = 201;
  public static final int SDES = 202;
  public static final int BYE = 203;
  public static final int APP = 204;
  /** Transport-layer feedback (RFC 4585 §6.2): generic NACK, transport-cc. */
  public static final int RTPFB = 205;
  /** Payload-specific feedback (RFC 4585 §6.3): PLI, FIR, REMB. */
  public static final int PSFB = 206;

  public static final int FMT_NACK = 1;
  public static final int FMT_TRANSPORT_CC = 15;
  public static final int FMT_PLI = 1;
  public static final int FMT_FIR = 4;
  /** Application layer feedback (RFC 4585 §6.4), the FMT REMB travels under. */
  public static final int FMT_AFB = 15;

  public static final int LENGTH = 4;

  private RtcpHeader() {
  }

  /** Writes a header for a packet of {@code totalBytes} (a multiple of 4, header included), without padding. */
  public static void write(byte[] b, int off, int countOrFmt, int type, int totalBytes) {
    b[off] = (byte) (0x80 | countOrFmt & 0x1f);
    b[off + 1] = (byte) type;
    Bytes.put16(b, off + 2, totalBytes / 4 - 1);
  }

  /**
   * The first check of every packet reader: the bytes of the packet at {@code off}, header included and padding
   * excluded, when its header is version 2 with this type (and, for {@code countOrFmt >= 0}, this count/FMT) and
   * its length field and padding fit in the {@code len} bytes available; -1 otherwise. The length field, not
   * {@code len}, says where the packet ends, so a reader may be handed the rest of a compound datagram.
   */
  public static int contentLength(byte[] b, int off, int len, int type, int countOrFmt) {
    if (b == null || off < 0 || len < LENGTH || len > b.length - off) {
      return -1;
    }
    int first = b[off] & 0xff;
    if (first >>> 6 != 2 || (b[off + 1] & 0xff) != type || countOrFmt >= 0 && (first & 0x1f) != countOrFmt) {
      return -1;
    }
    int total = totalLength(b, off);
    if (total > len) {
      return -1;
    }
    if ((first & 0x20) == 0) {
      return total;
    }
    int padding = b[off + total - 1] & 0xff;
    return padding == 0 || padding > total - LENGTH ? -1 : total - padding;
  }

  public static int count(byte[] b, int off) {
    return b[off] & 0x1f;
  }

  public static int type(byte[] b, int off) {
    return b[off + 1] & 0xff;
  }

  /** The packet's length in bytes, header and padding included, as its length field says. */
  public static int totalLength(byte[] b, int off) {
    return 4 * (Bytes.u16(b, off + 2) + 1);
  }
}

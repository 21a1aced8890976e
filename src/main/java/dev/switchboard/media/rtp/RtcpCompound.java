package dev.switchboard.media.rtp;

/**
 * Iterates the packets of a compound RTCP datagram (RFC 3550 §6.1) in place: {@link #next()} moves to the next
 * packet, and the getters describe it. A header that is not version 2, a length that runs past the datagram or
 * padding that does not fit end the iteration with {@link #malformed()} true; nothing throws, whatever arrived.
 * The packets before a malformed one have been seen already: RFC 3550 §A.2 would discard the whole datagram,
 * which a caller can still do by checking {@link #malformed()} after the loop before acting.
 *
 * <p>The first packet is not required to be SR or RR: with rtcp-rsize (RFC 5506), which browsers offer, a lone
 * feedback packet is a valid datagram.
 */
public final class RtcpCompound {
  private byte[] buf;
  private int next;
  private int end;
  private int offset;
  private int length;
  private int padding;
  private boolean malformed;

  /** Starts iterating the {@code len} bytes at {@code off}; the first {@link #next()} yields the first packet. */
  public RtcpCompound reset(byte[] buf, int off, int len) {
    this.buf = buf;
    this.next = off;
    this.end = off + len;
    this.offset = -1;
    this.length = 0;
    this.padding = 0;
    this.malformed = buf == null || off < 0 || len < 0 || len > buf.length - off;
    if (malformed) {
      this.end = this.next;
    }
    return this;
  }

  /** Moves to the next packet; false at the end of the datagram or at a malformed packet. */
  public boolean next() {
    if (malformed || next >= end) {
      return false;
    }
    if (end - next < RtcpHeader.LENGTH || (buf[next] & 0xff) >>> 6 != 2) {
      return fail();
    }
    int total = RtcpHeader.totalLength(buf, next);
    if (total > end - next) {
      return fail();
    }
    int padding = 0;
    if ((buf[next] & 0x20) != 0) {
      padding = buf[next + total - 1] & 0xff;
      if (padding == 0 || padding > total - RtcpHeader.LENGTH) {
        return fail();
      }
    }
    offset = next;
    length = total;
    this.padding = padding;
    next += total;
    return true;
  }

  private boolean fail() {
    malformed = true;
    offset = -1;
    length = 0;
    padding = 0;
    return false;
  }

  /** Whether the iteration stopped at bytes that are not RTCP rather than at the end. */
  public boolean malformed() {
    return malformed;
  }

  public byte[] buffer() {
    return buf;
  }

  /** Absolute index of the current packet's header. */
  public int offset() {
    return offset;
  }

  /** The current packet's length in bytes as its header says, header and padding included. */
  public int length() {
    return length;
  }

  /** The current packet's padding bytes (RFC 3550 §6.4.1), 0 without the P bit. */
  public int paddingLength() {
    return padding;
  }

  public int type() {
    return RtcpHeader.type(buf, offset);
  }

  /** Report count, source count or, in feedback packets, the FMT. */
  public int count() {
    return RtcpHeader.count(buf, offset);
  }
}

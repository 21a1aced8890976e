package dev.switchboard.media.rtp;

/**
 * A reusable, mutable view of one RTP packet (RFC 3550 §5.1) lying in a caller's buffer: {@link #wrap} checks the
 * fixed header, the CSRC list, the header extension and the padding against the length and remembers where each
 * part lies; the getters read the header from the buffer and the setters rewrite it in place. The packet path keeps
 * one view per thread and wraps each datagram in turn, so nothing is allocated per packet.
 *
 * <p>Header extensions (RFC 8285) are read and rewritten through {@link HeaderExtensions} over
 * {@link #extensionsOffset()}/{@link #extensionsLength()}; the values the node cares about through
 * {@link ExtensionValues}.
 */
public final class RtpPacket {
  /** The fixed header: V/P/X/CC, M/PT, sequence number, timestamp, SSRC. */
  public static final int FIXED_HEADER = 12;

  private byte[] buf;
  private int off;
  private int len;
  private int headerLength;
  private int paddingLength;
  private int extensionProfile = -1;
  private int extensionsOffset;
  private int extensionsLength;

  /**
   * Views {@code len} bytes at {@code off} as an RTP packet. Returns false, and leaves the view unusable, when the
   * bytes cannot be one: version other than 2, CSRC list, extension or padding running past the end, or padding
   * that claims zero bytes or more than the payload. Never throws on what came off the wire; a packet of padding
   * alone (a bandwidth probe) is valid with an empty payload.
   */
  public boolean wrap(byte[] buf, int off, int len) {
    this.buf = null;
    if (buf == null || off < 0 || len < FIXED_HEADER || len > buf.length - off) {
      return false;
    }
    int first = buf[off] & 0xff;
    if (first >>> 6 != 2) {
      return false;
    }
    int header = FIXED_HEADER + 4 * (first & 0x0f);
    if (header > len) {
      return false;
    }
    int profile = -1;
    int extOffset = 0;
    int extLength = 0;
    if ((first & 0x10) != 0) {
      if (header + 4 > len) {
        return false;
      }
      profile = Bytes.u16(buf, off + header);
      extLength = 4 * Bytes.u16(buf, off + header + 2);
      extOffset = off + header + 4;
      header += 4 + extLength;
      if (header > len) {
        return false;
      }
    }
    int padding = 0;
    if ((first & 0x20) != 0) {
      // RFC 3550 §5.1: the last octet counts the padding including itself, so 0 is not a valid count
      padding = buf[off + len - 1] & 0xff;
      if (padding == 0 || header + padding > len) {
        return false;
      }
    }
    this.buf = buf;
    this.off = off;
    this.len = len;
    this.headerLength = header;
    this.paddingLength = padding;
    this.extensionProfile = profile;
    this.extensionsOffset = extOffset;
    this.extensionsLength = extLength;
    return true;
  }

  public byte[] buffer() {
    return buf;
  }

  public int offset() {
    return off;
  }

  /** The whole packet as wrapped, padding included. */
  public int length() {
    return len;
  }

  public boolean hasPadding() {
    return (buf[off] & 0x20) != 0;
  }

  public boolean hasExtension() {
    return (buf[off] & 0x10) != 0;
  }

  public int csrcCount() {
    return buf[off] & 0x0f;
  }

  public int csrc(int index) {
    return Bytes.i32(buf, off + FIXED_HEADER + 4 * index);
  }

  public boolean marker() {
    return (buf[off + 1] & 0x80) != 0;
  }

  public int payloadType() {
    return buf[off + 1] & 0x7f;
  }

  public int sequenceNumber() {
    return Bytes.u16(buf, off + 2);
  }

  public int timestamp() {
    return Bytes.i32(buf, off + 4);
  }

  public int ssrc() {
    return Bytes.i32(buf, off + 8);
  }

  /** Fixed header, CSRCs and header extension: where the payload starts, relative to {@link #offset()}. */
  public int headerLength() {
    return headerLength;
  }

  /** Absolute index of the payload's first byte in {@link #buffer()}. */
  public int payloadOffset() {
    return off + headerLength;
  }

  /** The payload without the padding. */
  public int payloadLength() {
    return len - headerLength - paddingLength;
  }

  public int paddingLength() {
    return paddingLength;
  }

  /** 0xBEDE (one-byte elements), 0x100X (two-byte elements), another profile, or -1 without an extension. */
  public int extensionProfile() {
    return extensionProfile;
  }

  /** Absolute index of the extension's first element, after the profile and length word. */
  public int extensionsOffset() {
    return extensionsOffset;
  }

  /** Length of the extension's elements in bytes (a multiple of 4), 0 without an extension. */
  public int extensionsLength() {
    return extensionsLength;
  }

  /**
   * The element with local id {@code id}: a value for {@link HeaderExtensions#offset(long)} and
   * {@link HeaderExtensions#length(long)}, or {@link HeaderExtensions#NOT_FOUND}.
   */
  public long findExtension(int id) {
    return HeaderExtensions.find(buf, extensionsOffset, extensionsLength, extensionProfile, id);
  }

  /** Renumbers the header extension's elements in place, see {@link HeaderExtensions#rewriteIds}. */
  public void rewriteExtensionIds(int[] idMap) {
    HeaderExtensions.rewriteIds(buf, extensionsOffset, extensionsLength, extensionProfile, idMap);
  }

  public void setMarker(boolean marker) {
    buf[off + 1] = (byte) (marker ? buf[off + 1] | 0x80 : buf[off + 1] & 0x7f);
  }

  public void setPayloadType(int payloadType) {
    buf[off + 1] = (byte) (buf[off + 1] & 0x80 | payloadType & 0x7f);
  }

  public void setSequenceNumber(int sequenceNumber) {
    Bytes.put16(buf, off + 2, sequenceNumber);
  }

  public void setTimestamp(int timestamp) {
    Bytes.put32(buf, off + 4, timestamp);
  }

  public void setSsrc(int ssrc) {
    Bytes.put32(buf, off + 8, ssrc);
  }
}

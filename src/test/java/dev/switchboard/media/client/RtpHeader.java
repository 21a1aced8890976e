package dev.switchboard.media.client;

/**
 * The fixed RTP header fields of a received packet (RFC 3550 §5.1) and where its payload is, skipping CSRCs
 * and a header extension. The kit's own small reader: the node's RTP view is not written yet, and the kit
 * must not depend on the code it is meant to check.
 */
public record RtpHeader(int ssrc, int payloadType, int sequence, long timestamp, boolean marker, int payloadOffset,
    int payloadLength) {

  /** Parses {@code len} bytes at the start of {@code p}; throws IllegalArgumentException when it is not RTP. */
  public static RtpHeader parse(byte[] p, int len) {
    if (len < 12 || (p[0] & 0xc0) != 0x80) {
      throw new IllegalArgumentException("not an RTP version 2 packet");
    }
    int offset = 12 + 4 * (p[0] & 0x0f);
    if ((p[0] & 0x10) != 0) {
      if (offset + 4 > len) {
        throw new IllegalArgumentException("header extension runs past the packet");
      }
      offset += 4 + 4 * (((p[offset + 2] & 0xff) << 8) | (p[offset + 3] & 0xff));
    }
    int end = len;
    if ((p[0] & 0x20) != 0) { // padding: its count is the last byte
      end -= p[len - 1] & 0xff;
    }
    if (offset > end) {
      throw new IllegalArgumentException("RTP header runs past the packet");
    }
    return new RtpHeader(readInt(p, 8), p[1] & 0x7f, ((p[2] & 0xff) << 8) | (p[3] & 0xff),
        readInt(p, 4) & 0xffffffffL, (p[1] & 0x80) != 0, offset, end - offset);
  }

  /** A 12-byte header (no CSRCs, no extension) followed by the payload and {@code room} spare bytes. */
  public static byte[] build(int ssrc, int payloadType, int sequence, long timestamp, boolean marker, byte[] payload,
      int room) {
    byte[] packet = new byte[12 + payload.length + room];
    packet[0] = (byte) 0x80;
    packet[1] = (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7f));
    packet[2] = (byte) (sequence >> 8);
    packet[3] = (byte) sequence;
    writeInt(packet, 4, (int) timestamp);
    writeInt(packet, 8, ssrc);
    System.arraycopy(payload, 0, packet, 12, payload.length);
    return packet;
  }

  static int readInt(byte[] p, int at) {
    return ((p[at] & 0xff) << 24) | ((p[at + 1] & 0xff) << 16) | ((p[at + 2] & 0xff) << 8) | (p[at + 3] & 0xff);
  }

  static void writeInt(byte[] p, int at, int value) {
    p[at] = (byte) (value >> 24);
    p[at + 1] = (byte) (value >> 16);
    p[at + 2] = (byte) (value >> 8);
    p[at + 3] = (byte) value;
  }

  static long readLong(byte[] p, int at) {
    return ((long) readInt(p, at) << 32) | (readInt(p, at + 4) & 0xffffffffL);
  }

  static void writeLong(byte[] p, int at, long value) {
    writeInt(p, at, (int) (value >>> 32));
    writeInt(p, at + 4, (int) value);
  }
}

package dev.switchboard.media.rtp;

/**
 * Retransmissions in their own stream (RFC 4588 §4): the RTX packet has the RTX SSRC, the RTX payload type and the
 * RTX stream's sequence number, keeps the original's timestamp, marker, CSRCs and header extension, and carries
 * the original sequence number (OSN, 2 bytes) in front of the original payload. Padding is not carried over: it
 * belonged to the original packet's size, not to its media.
 */
public final class Rtx {
  /** The OSN field in front of the payload. */
  public static final int OSN_LENGTH = 2;

  private Rtx() {
  }

  /**
   * Writes the RTX form of {@code original} at {@code out[outOff]} and returns its length, or -1 when it does not
   * fit in {@code out}. {@code out} may be any buffer but the original's own bytes.
   */
  public static int write(RtpPacket original, byte[] out, int outOff, int rtxSsrc, int rtxPayloadType,
      int rtxSequenceNumber) {
    int header = original.headerLength();
    int payload = original.payloadLength();
    int total = header + OSN_LENGTH + payload;
    if (outOff < 0 || total > out.length - outOff) {
      return -1;
    }
    byte[] in = original.buffer();
    System.arraycopy(in, original.offset(), out, outOff, header);
    out[outOff] &= (byte) ~0x20;
    out[outOff + 1] = (byte) (out[outOff + 1] & 0x80 | rtxPayloadType & 0x7f);
    Bytes.put16(out, outOff + 2, rtxSequenceNumber);
    Bytes.put32(out, outOff + 8, rtxSsrc);
    Bytes.put16(out, outOff + header, original.sequenceNumber());
    System.arraycopy(in, original.payloadOffset(), out, outOff + header + OSN_LENGTH, payload);
    return total;
  }

  /** The original sequence number an RTX packet carries, or -1 when its payload is too short to hold one. */
  public static int originalSequenceNumber(RtpPacket rtx) {
    return rtx.payloadLength() < OSN_LENGTH ? -1 : Bytes.u16(rtx.buffer(), rtx.payloadOffset());
  }

  /**
   * Writes the original packet an RTX packet carries at {@code out[outOff]}, with the original SSRC and payload
   * type given by the session's RTX mapping (a=fmtp apt=), and returns its length, or -1 when the RTX packet holds
   * no OSN or the result does not fit. Works in place when {@code out} and {@code outOff} are the RTX packet's own
   * buffer and offset: the payload moves two bytes towards the header.
   */
  public static int restore(RtpPacket rtx, byte[] out, int outOff, int originalSsrc, int originalPayloadType) {
    int osn = originalSequenceNumber(rtx);
    int header = rtx.headerLength();
    int payload = rtx.payloadLength() - OSN_LENGTH;
    if (osn < 0 || outOff < 0 || header + payload > out.length - outOff) {
      return -1;
    }
    byte[] in = rtx.buffer();
    System.arraycopy(in, rtx.offset(), out, outOff, header);
    System.arraycopy(in, rtx.payloadOffset() + OSN_LENGTH, out, outOff + header, payload);
    out[outOff] &= (byte) ~0x20;
    out[outOff + 1] = (byte) (out[outOff + 1] & 0x80 | originalPayloadType & 0x7f);
    Bytes.put16(out, outOff + 2, osn);
    Bytes.put32(out, outOff + 8, originalSsrc);
    return header + payload;
  }
}

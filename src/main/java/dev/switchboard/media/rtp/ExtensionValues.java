package dev.switchboard.media.rtp;

import java.nio.charset.StandardCharsets;

/**
 * The header-extension values the media node reads and stamps, each looked up by the local id the session
 * negotiated for its URI (a=extmap). Readers return -1 (or null) when the packet lacks the element or it is too
 * short; writers rewrite an existing element in place and return false when there is none to rewrite.
 */
public final class ExtensionValues {
  private ExtensionValues() {
  }

  /**
   * Transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2; extmap URI
   * http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01): 16 bits, or -1.
   */
  public static int transportCcSequence(RtpPacket p, int id) {
    long e = p.findExtension(id);
    return e == HeaderExtensions.NOT_FOUND || HeaderExtensions.length(e) < 2
        ? -1 : Bytes.u16(p.buffer(), HeaderExtensions.offset(e));
  }

  /** The node numbers what it sends on each transport itself: the feedback it gets back speaks of its numbers. */
  public static boolean setTransportCcSequence(RtpPacket p, int id, int sequence) {
    long e = p.findExtension(id);
    if (e == HeaderExtensions.NOT_FOUND || HeaderExtensions.length(e) < 2) {
      return false;
    }
    Bytes.put16(p.buffer(), HeaderExtensions.offset(e), sequence);
    return true;
  }

  /**
   * abs-send-time (http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time): 24 bits, seconds in 6.18 fixed
   * point, or -1.
   */
  public static int absSendTime(RtpPacket p, int id) {
    long e = p.findExtension(id);
    return e == HeaderExtensions.NOT_FOUND || HeaderExtensions.length(e) < 3
        ? -1 : Bytes.u24(p.buffer(), HeaderExtensions.offset(e));
  }

  public static boolean setAbsSendTime(RtpPacket p, int id, int value) {
    long e = p.findExtension(id);
    if (e == HeaderExtensions.NOT_FOUND || HeaderExtensions.length(e) < 3) {
      return false;
    }
    Bytes.put24(p.buffer(), HeaderExtensions.offset(e), value);
    return true;
  }

  /** abs-send-time of a time in microseconds: the low 6 bits of the seconds and 18 bits of fraction. */
  public static int absSendTimeOf(long micros) {
    return (int) (((micros << 18) / 1_000_000L) & 0xffffff);
  }

  /**
   * Client-to-mixer audio level (RFC 6464 §3): the raw byte, V (voice activity) in the top bit and the level in
   * -dBov (0 loudest, 127 silence) in the low seven; or -1. See {@link #voiceActivity} and {@link #level}.
   */
  public static int audioLevel(RtpPacket p, int id) {
    long e = p.findExtension(id);
    return e == HeaderExtensions.NOT_FOUND || HeaderExtensions.length(e) < 1
        ? -1 : p.buffer()[HeaderExtensions.offset(e)] & 0xff;
  }

  public static boolean voiceActivity(int audioLevel) {
    return (audioLevel & 0x80) != 0;
  }

  public static int level(int audioLevel) {
    return audioLevel & 0x7f;
  }

  /**
   * The BUNDLE media identification (RFC 8843 §15.2, urn:ietf:params:rtp-hdrext:sdes:mid) or, with its id, the
   * RtpStreamId (RFC 8852): an SDES text item, UTF-8 without terminator. Null when absent. Allocates: the node
   * reads it only for a packet whose SSRC it does not know yet.
   */
  public static String text(RtpPacket p, int id) {
    long e = p.findExtension(id);
    if (e == HeaderExtensions.NOT_FOUND) {
      return null;
    }
    return new String(p.buffer(), HeaderExtensions.offset(e), HeaderExtensions.length(e), StandardCharsets.UTF_8);
  }

  /** Whether the text element (mid, rid) equals {@code value}'s UTF-8 bytes, without allocating. */
  public static boolean textEquals(RtpPacket p, int id, byte[] value) {
    long e = p.findExtension(id);
    if (e == HeaderExtensions.NOT_FOUND || HeaderExtensions.length(e) != value.length) {
      return false;
    }
    int at = HeaderExtensions.offset(e);
    return java.util.Arrays.equals(p.buffer(), at, at + value.length, value, 0, value.length);
  }
}

package dev.switchboard.media.rtp;

/**
 * VP8 keyframes in RTP payloads (RFC 7741). The payload descriptor comes first: X|R|N|S|R|PID, and with X an
 * extension byte I|L|T|K followed by the picture id (I: one byte, or two when its M bit is set), TL0PICIDX (L) and
 * TID/KEYIDX (T or K). A keyframe starts in the packet that begins partition 0 of a frame (S = 1, PID = 0): there
 * the VP8 payload header's first byte has P (the inverse key frame flag, RFC 7741 §4.3) clear, and a keyframe's
 * header goes on with the start code 9d 01 2a (RFC 6386 §9.1), checked too so stray bytes do not pass.
 */
public final class Vp8 {
  private Vp8() {
  }

  /** Whether the payload of {@code len} bytes at {@code off} begins a VP8 keyframe. Never throws. */
  public static boolean isKeyframe(byte[] b, int off, int len) {
    if (b == null || off < 0 || len < 1 || len > b.length - off) {
      return false;
    }
    int end = off + len;
    int first = b[off] & 0xff;
    boolean start = (first & 0x10) != 0;
    int partition = first & 0x07;
    if (!start || partition != 0) {
      return false;
    }
    int at = off + 1;
    if ((first & 0x80) != 0) {
      if (at >= end) {
        return false;
      }
      int ext = b[at++] & 0xff;
      if ((ext & 0x80) != 0) {
        if (at >= end) {
          return false;
        }
        at += (b[at] & 0x80) != 0 ? 2 : 1;
      }
      if ((ext & 0x40) != 0) {
        at++;
      }
      if ((ext & 0x30) != 0) {
        at++;
      }
    }
    // frame tag (3 bytes) and start code (3 bytes) of the VP8 payload header
    if (at + 6 > end) {
      return false;
    }
    return (b[at] & 0x01) == 0
        && (b[at + 3] & 0xff) == 0x9d && (b[at + 4] & 0xff) == 0x01 && (b[at + 5] & 0xff) == 0x2a;
  }
}

package dev.switchboard.media.rtp;

/**
 * H.264 keyframes in RTP payloads (RFC 6184, packetization mode 0 or 1 as browsers use it). The payload is a single
 * NAL unit (types 1-23), an aggregation of several (STAP-A, type 24: 16-bit size before each) or a fragment of one
 * (FU-A, type 28: the FU header's S bit marks the first fragment and carries the fragmented unit's type). A packet
 * begins a keyframe when it carries an IDR slice (type 5) or, first in every keyframe browsers send, a sequence
 * parameter set (type 7).
 */
public final class H264 {
  private static final int IDR = 5;
  private static final int SPS = 7;
  private static final int STAP_A = 24;
  private static final int FU_A = 28;

  private H264() {
  }

  /** Whether the payload of {@code len} bytes at {@code off} begins an H.264 keyframe. Never throws. */
  public static boolean isKeyframe(byte[] b, int off, int len) {
    if (b == null || off < 0 || len < 1 || len > b.length - off) {
      return false;
    }
    int type = b[off] & 0x1f;
    if (type == STAP_A) {
      int end = off + len;
      for (int at = off + 1; at + 2 < end; ) {
        int size = Bytes.u16(b, at);
        if (size == 0 || at + 2 + size > end) {
          return false;
        }
        if (isKeyframeUnit(b[at + 2] & 0x1f)) {
          return true;
        }
        at += 2 + size;
      }
      return false;
    }
    if (type == FU_A) {
      return len >= 2 && (b[off + 1] & 0x80) != 0 && isKeyframeUnit(b[off + 1] & 0x1f);
    }
    return isKeyframeUnit(type);
  }

  private static boolean isKeyframeUnit(int type) {
    return type == IDR || type == SPS;
  }
}

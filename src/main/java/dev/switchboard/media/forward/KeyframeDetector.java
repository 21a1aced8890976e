package dev.switchboard.media.forward;

import dev.switchboard.media.rtp.H264;
import dev.switchboard.media.rtp.Vp8;

/** Which payload format a video source sends, so the forwarder can tell keyframes (RFC 7741, RFC 6184). */
public enum KeyframeDetector {
  VP8 {
    @Override
    public boolean isKeyframe(byte[] buf, int off, int len) {
      return Vp8.isKeyframe(buf, off, len);
    }
  },
  H264 {
    @Override
    public boolean isKeyframe(byte[] buf, int off, int len) {
      return dev.switchboard.media.rtp.H264.isKeyframe(buf, off, len);
    }
  },
  /** Audio: every packet is a starting point. */
  NONE {
    @Override
    public boolean isKeyframe(byte[] buf, int off, int len) {
      return true;
    }
  };

  /** Whether the payload starts a frame a decoder can begin with. */
  public abstract boolean isKeyframe(byte[] buf, int off, int len);
}

package dev.switchboard.media.forward;

/** RTP packets as the specs of this package need them. */
final class SpecPackets {
  private SpecPackets() {
  }

  /** A VP8 packet, payload type 96 (RFC 7741 descriptor S=1, PID 0), keyframe or delta, with a recognisable payload. */
  static byte[] vp8(int ssrc, int seq, long timestamp, boolean keyframe, int fill) {
    byte[] payload = {0x10, (byte) (keyframe ? 0x00 : 0x01), 0, 0, (byte) 0x9d, 0x01, 0x2a, (byte) fill, (byte) fill};
    byte[] packet = new byte[12 + payload.length];
    packet[0] = (byte) 0x80;
    packet[1] = (byte) 96;
    packet[2] = (byte) (seq >> 8);
    packet[3] = (byte) seq;
    packet[4] = (byte) (timestamp >> 24);
    packet[5] = (byte) (timestamp >> 16);
    packet[6] = (byte) (timestamp >> 8);
    packet[7] = (byte) timestamp;
    packet[8] = (byte) (ssrc >> 24);
    packet[9] = (byte) (ssrc >> 16);
    packet[10] = (byte) (ssrc >> 8);
    packet[11] = (byte) ssrc;
    System.arraycopy(payload, 0, packet, 12, payload.length);
    return packet;
  }
}

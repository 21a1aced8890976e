package dev.switchboard.media.transport;

/**
 * What arrived on the media node's one UDP port, told by its first byte (RFC 7983 §7 and RFC 9443: 0-3 STUN, 16-19 ZRTP, 20-63 DTLS, 64-79 TURN ChannelData, 128-191 RTP/RTCP, QUIC elsewhere):
 * STUN for ICE checks, DTLS for the handshake, RTP or RTCP for media, TURN ChannelData never (the node is not a
 * relay), anything else dropped.
 */
public enum PacketKind {
  STUN, DTLS, RTP_OR_RTCP, OTHER;

  public static PacketKind of(int firstByte) {
    int b = firstByte & 0xff;
    if (b <= 3) {
      return STUN;
    }
    if (b >= 20 && b <= 63) {
      return DTLS;
    }
    if (b >= 128 && b <= 191) {
      return RTP_OR_RTCP;
    }
    return OTHER;
  }

  /**
   * RTCP rather than RTP on an rtcp-mux port (RFC 5761 §4): RTCP packet types 192-223 fall where RTP would
   * carry payload types 64-95 with the marker bit, which RFC 5761 keeps free.
   */
  public static boolean isRtcp(int secondByte) {
    int type = secondByte & 0xff;
    return type >= 192 && type <= 223;
  }
}

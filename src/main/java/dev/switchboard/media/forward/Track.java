package dev.switchboard.media.forward;

import java.util.Objects;

/**
 * A track a participant publishes to the node, as its SDP and first packets describe it.
 *
 * @param id the track's id (msid track id, unique in the room)
 * @param ownerId the publishing participant
 * @param kind audio or video
 * @param ssrc the SSRC its media arrives with
 * @param rtxSsrc the SSRC of its RTX retransmissions (RFC 4588), 0 for none (libwebrtc never picks 0)
 * @param clockRate its RTP clock (48000 Opus, 90000 video)
 * @param payloadType the payload type it arrives with
 */
public record Track(String id, String ownerId, Kind kind, int ssrc, int rtxSsrc, int clockRate, int payloadType) {
  public enum Kind { AUDIO, VIDEO }

  public Track {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(kind, "kind");
    if (clockRate <= 0) {
      throw new IllegalArgumentException("clock rate " + clockRate);
    }
    if (payloadType < 0 || payloadType > 127) {
      throw new IllegalArgumentException("payload type " + payloadType);
    }
    if (rtxSsrc != 0 && rtxSsrc == ssrc) {
      throw new IllegalArgumentException("RTX SSRC equals the media SSRC");
    }
  }

  public boolean hasRtx() {
    return rtxSsrc != 0;
  }

  public boolean isVideo() {
    return kind == Kind.VIDEO;
  }
}

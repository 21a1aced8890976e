package dev.switchboard.media.sdp;

/**
 * An RTP header extension of an m-section ({@code a=extmap}, RFC 8285).
 *
 * @param direction {@code null} when the extmap names none (it then follows the section's)
 */
public record Extmap(int id, String uri, Direction direction) {
  public static final String MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
  public static final String AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  public static final String ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  public static final String TRANSPORT_CC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

  public String attributeValue() {
    return id + (direction == null ? "" : "/" + direction.attribute()) + " " + uri;
  }
}

package dev.switchboard.media.sdp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One payload type of an m-section: {@code a=rtpmap}, its {@code a=fmtp} (as written, {@code ""} when none) and its
 * {@code a=rtcp-fb} values ({@code "nack"}, {@code "nack pli"}, ...), wildcard ones included.
 *
 * @param channels 1 unless the rtpmap says otherwise (RFC 8866 §6.6: audio channels default to one)
 */
public record Codec(int pt, String name, int clockRate, int channels, String fmtp, List<String> feedback) {
  public Codec {
    feedback = List.copyOf(feedback);
  }

  /** The fmtp as {@code key=value} pairs in order; a bare value (e.g. RED's {@code 111/111}) has an empty key. */
  public Map<String, String> parameters() {
    Map<String, String> params = new LinkedHashMap<>();
    if (fmtp.isEmpty()) {
      return params;
    }
    for (String part : fmtp.split(";")) {
      String pair = part.trim();
      int eq = pair.indexOf('=');
      if (eq < 0) {
        params.put("", pair);
      } else {
        params.put(pair.substring(0, eq).trim().toLowerCase(Locale.ROOT), pair.substring(eq + 1).trim());
      }
    }
    return params;
  }

  public boolean isRtx() {
    return name.equalsIgnoreCase("rtx");
  }

  /** The payload type an RTX codec retransmits ({@code apt}), -1 for other codecs or a malformed apt. */
  public int apt() {
    if (!isRtx()) {
      return -1;
    }
    String apt = parameters().get("apt");
    return apt == null ? -1 : OfferReader.parseInt(apt, 0, 127);
  }

  public Codec withPt(int newPt) {
    return new Codec(newPt, name, clockRate, channels, fmtp, feedback);
  }

  public Codec withFmtp(String newFmtp) {
    return new Codec(pt, name, clockRate, channels, newFmtp, feedback);
  }

  public Codec withFeedback(List<String> newFeedback) {
    return new Codec(pt, name, clockRate, channels, fmtp, newFeedback);
  }

  /** {@code name/clock[/channels]} as an rtpmap writes it; channels only for audio with more than one. */
  public String rtpmap() {
    return name + "/" + clockRate + (channels > 1 ? "/" + channels : "");
  }
}

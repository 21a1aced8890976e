package dev.switchboard.media.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A node's plan with fixed credentials, and the captured SDP fixtures, for the specs. */
final class Plans {
  static final String UFRAG = "nodeUfrag";
  static final String PWD = "nodePasswordOf24Chars+/x";
  static final String FINGERPRINT = "sha-256 " + "AB:".repeat(31) + "CD";

  private Plans() {
  }

  static MediaPlan plan() {
    return new MediaPlan(UFRAG, PWD, FINGERPRINT, List.of(new MediaPlan.Candidate("127.0.0.1", 40000, 2130706431L)));
  }

  /** A captured SDP under src/test/resources/sdp, exactly as the browser gave it. */
  static String fixture(String name) {
    try (InputStream in = Plans.class.getResourceAsStream("/sdp/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

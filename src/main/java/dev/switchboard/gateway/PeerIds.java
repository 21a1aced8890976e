package dev.switchboard.gateway;

import java.security.SecureRandom;
import java.util.Base64;

/** Server-assigned peer ids: 128 random bits, URL-safe, 22 characters. */
public final class PeerIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private PeerIds() {
  }

  public static String next() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }
}

package dev.switchboard.media.transport;

import java.security.SecureRandom;

/**
 * One side's ICE username fragment and password (RFC 8839 §5.4: {@code a=ice-ufrag}, {@code a=ice-pwd}). Both are
 * made of ice-chars only (ALPHA / DIGIT / "+" / "/"): a colon would break the "ufrag:ufrag" USERNAME of a check.
 * Lengths are not enforced beyond at most 256 (a browser's fragments are what its SDP says they are); the node's own
 * come from {@link #random()} and meet RFC 8445 §5.3 (at least 24 bits of randomness in the ufrag, 128 in the pwd).
 */
public record IceCredentials(String ufrag, String pwd) {
  private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  private static final SecureRandom RANDOM = new SecureRandom();
  static final int UFRAG_LENGTH = 8;
  static final int PWD_LENGTH = 24;

  public IceCredentials {
    check("ufrag", ufrag);
    check("pwd", pwd);
  }

  /** 8 ice-chars of ufrag (48 bits) and 24 of pwd (144 bits), from a SecureRandom. */
  public static IceCredentials random() {
    return new IceCredentials(randomChars(UFRAG_LENGTH), randomChars(PWD_LENGTH));
  }

  private static String randomChars(int count) {
    char[] chars = new char[count];
    for (int i = 0; i < count; i++) {
      chars[i] = ICE_CHARS.charAt(RANDOM.nextInt(ICE_CHARS.length()));
    }
    return new String(chars);
  }

  private static void check(String what, String value) {
    if (value == null || value.isEmpty() || value.length() > 256) {
      throw new IllegalArgumentException("ICE " + what + " must be 1 to 256 ice-chars");
    }
    for (int i = 0; i < value.length(); i++) {
      if (ICE_CHARS.indexOf(value.charAt(i)) < 0) {
        throw new IllegalArgumentException("ICE " + what + " has a character outside ALPHA / DIGIT / + / /");
      }
    }
  }

  /** The password is a secret: never in logs. */
  @Override
  public String toString() {
    return "IceCredentials[ufrag=" + ufrag + "]";
  }
}

package dev.switchboard.media.rtp;

import java.util.HexFormat;

/** Packets in specs are written as hex, grouped as the RFC figures group them; spaces and '|' are ignored. */
final class Hex {
  private Hex() {
  }

  static byte[] bytes(String hex) {
    return HexFormat.of().parseHex(hex.replaceAll("[\\s|]", ""));
  }

  /** The hex as {@link #of} prints it: lower case, without separators. */
  static String normal(String hex) {
    return HexFormat.of().formatHex(bytes(hex));
  }

  static String of(byte[] b, int off, int len) {
    return HexFormat.of().formatHex(b, off, off + len);
  }
}

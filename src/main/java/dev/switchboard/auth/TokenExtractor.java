package dev.switchboard.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Finds the access token a client sent, without judging it (that is {@link AccessTokens#verify}'s job).
 * Every method returns null when there is no usable token, so callers have one case to handle.
 */
public final class TokenExtractor {
  /**
   * The subprotocol that carries a token: phoenix.js 1.8 with {@code authToken} offers
   * {@code phoenix, base64url.bearer.phx.<token>}, a browser WebSocket being unable to send headers.
   */
  public static final String SUBPROTOCOL_PREFIX = "base64url.bearer.phx.";
  private static final String BEARER = "bearer ";

  private TokenExtractor() {
  }

  /**
   * The token of a WebSocket connect: the {@code token} connect param when there is one, otherwise the
   * {@code base64url.bearer.phx.} entry of the {@code Sec-WebSocket-Protocol} header (all of the header's
   * values, comma-separated). Null when neither holds a token, or the subprotocol's base64 is bad.
   */
  public static String fromConnect(String tokenParam, String subprotocolHeader) {
    if (tokenParam != null && !tokenParam.isBlank()) {
      return tokenParam.trim();
    }
    if (subprotocolHeader == null) {
      return null;
    }
    for (String offered : subprotocolHeader.split(",")) {
      String protocol = offered.trim();
      if (protocol.startsWith(SUBPROTOCOL_PREFIX)) {
        return decode(protocol.substring(SUBPROTOCOL_PREFIX.length()));
      }
    }
    return null;
  }

  /** The token of an {@code Authorization: Bearer <token>} header (scheme case-insensitive), or null. */
  public static String fromAuthorization(String header) {
    if (header == null) {
      return null;
    }
    String value = header.trim();
    if (value.length() <= BEARER.length() || !value.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
      return null;
    }
    String token = value.substring(BEARER.length()).trim();
    return token.isEmpty() || token.chars().anyMatch(Character::isWhitespace) ? null : token;
  }

  /**
   * Despite its name, phoenix.js 1.8 encodes with {@code btoa} (the standard alphabet) and strips the
   * padding. For a JWT the two alphabets give the same text (its characters never produce the 6-bit
   * values 62 and 63, the only ones that differ), but another client may well send true base64url, so
   * both alphabets and optional padding are accepted.
   */
  private static String decode(String encoded) {
    String unpadded = encoded.replaceAll("=+$", "");
    if (unpadded.isEmpty()) {
      return null;
    }
    try {
      byte[] bytes = Base64.getUrlDecoder().decode(unpadded.replace('+', '-').replace('/', '_'));
      String token = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
      return token.isBlank() ? null : token;
    } catch (IllegalArgumentException | CharacterCodingException e) {
      return null;
    }
  }
}

package dev.switchboard.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Where a client puts its token: the connect param, the phoenix.js subprotocol, an Authorization header. */
@Timeout(10)
class TokenExtractorTest {
  private static final String JWT = "eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0"
      + ".eyJzdWIiOiJhbGljZSIsInJvb20iOiJyMSIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlX29mX3RoZS10b2tlbg";

  /** Exactly what phoenix.js 1.8.16 sends: {@code btoa(token).replace(/=/g, "")} after the prefix. */
  private static String phoenixSubprotocol(String token) {
    String btoa = Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.ISO_8859_1));
    return "base64url.bearer.phx." + btoa.replace("=", "");
  }

  @Test
  void the_token_of_phoenix_js_auth_token_is_read_from_the_subprotocol_header() {
    assertEquals(JWT, TokenExtractor.fromConnect(null, "phoenix, " + phoenixSubprotocol(JWT)));
    assertEquals(JWT, TokenExtractor.fromConnect("", phoenixSubprotocol(JWT) + ",phoenix"));
  }

  @Test
  void true_base64url_and_padding_are_accepted_too() {
    String token = "???>>>x"; // text whose standard base64 holds + and /, where base64url differs
    String url = Base64.getUrlEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    assertEquals("Pz8_Pj4-eA==", url);
    assertEquals(token, TokenExtractor.fromConnect(null, "phoenix, base64url.bearer.phx." + url));
    String standard = Base64.getEncoder().withoutPadding().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    assertEquals("Pz8/Pj4+eA", standard);
    assertEquals(token, TokenExtractor.fromConnect(null, "phoenix, base64url.bearer.phx." + standard));
  }

  @Test
  void the_connect_param_comes_first() {
    assertEquals("from-param", TokenExtractor.fromConnect("from-param", "phoenix, " + phoenixSubprotocol(JWT)));
    assertEquals(JWT, TokenExtractor.fromConnect(JWT, null));
  }

  @Test
  void no_token_or_a_bad_one_is_null() {
    assertNull(TokenExtractor.fromConnect(null, null));
    assertNull(TokenExtractor.fromConnect(" ", "phoenix"));
    assertNull(TokenExtractor.fromConnect(null, "phoenix, base64url.bearer.phx."));
    assertNull(TokenExtractor.fromConnect(null, "phoenix, base64url.bearer.phx.!!not-base64!!"));
    assertNull(TokenExtractor.fromConnect(null, "phoenix, base64url.bearer.phx.a"), "5 bits are no byte");
    assertNull(TokenExtractor.fromConnect(null, "phoenix, base64url.bearer.phx._w"), "0xFF is not UTF-8");
  }

  @Test
  void a_bearer_authorization_header_gives_its_token() {
    assertEquals(JWT, TokenExtractor.fromAuthorization("Bearer " + JWT));
    assertEquals(JWT, TokenExtractor.fromAuthorization("bearer   " + JWT + " "));
    assertNull(TokenExtractor.fromAuthorization(null));
    assertNull(TokenExtractor.fromAuthorization("Bearer"));
    assertNull(TokenExtractor.fromAuthorization("Bearer "));
    assertNull(TokenExtractor.fromAuthorization("Basic YWxpY2U6cHc="));
    assertNull(TokenExtractor.fromAuthorization("Bearer two words"));
  }
}

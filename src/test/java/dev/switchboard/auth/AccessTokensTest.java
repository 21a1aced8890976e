package dev.switchboard.auth;

import dev.switchboard.config.SwitchboardConfig.AuthConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static dev.switchboard.auth.TestTokens.NOW;
import static dev.switchboard.auth.TestTokens.SECRET_1;
import static dev.switchboard.auth.TestTokens.SECRET_2;
import static dev.switchboard.auth.TestTokens.accepted;
import static dev.switchboard.auth.TestTokens.claims;
import static dev.switchboard.auth.TestTokens.clockAt;
import static dev.switchboard.auth.TestTokens.header;
import static dev.switchboard.auth.TestTokens.hs256;
import static dev.switchboard.auth.TestTokens.refused;
import static dev.switchboard.auth.TestTokens.segment;
import static dev.switchboard.auth.TestTokens.tokenMode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HS256 access tokens: docs/protocol.md §4, "Access tokens (JWT)". */
@ExtendWith(VertxExtension.class)
@Timeout(10)
class AccessTokensTest {
  private Vertx vertx;
  private AccessTokens tokens;

  @BeforeEach
  void oneKeyAtNow(Vertx vertx) {
    this.vertx = vertx;
    tokens = AccessTokens.from(vertx, tokenMode("k1:" + SECRET_1), clockAt(NOW));
  }

  @Test
  void a_valid_token_is_accepted_with_every_claim_mapped() {
    JsonObject claims = claims().put("name", "Alice").put("nbf", NOW - 60)
        .put("join", true).put("publish", false).put("subscribe", false).put("admin", true)
        .put("metadata", new JsonObject().put("team", "blue"));
    AccessGrant grant = accepted(tokens.verify(hs256(header("HS256", "k1"), claims, SECRET_1)));
    assertEquals(new AccessGrant("alice", "Alice", new JsonObject().put("team", "blue"), true, "r1",
        true, false, false, true, NOW + 3600, NOW - 60), grant);
  }

  @Test
  void absent_optional_claims_take_the_documented_defaults() {
    AccessGrant grant = accepted(tokens.verify(hs256(header("HS256", "k1"), claims(), SECRET_1)));
    assertEquals("", grant.name());
    assertEquals(new JsonObject(), grant.metadata());
    assertTrue(grant.verified());
    assertTrue(grant.join() && grant.publish() && grant.subscribe(), "join, publish and subscribe default to true");
    assertFalse(grant.admin(), "admin defaults to false");
    assertEquals(0, grant.notBefore());
  }

  @Test
  void a_wildcard_room_covers_every_room() {
    AccessGrant grant = accepted(tokens.verify(hs256(header("HS256", "k1"), claims().put("room", "*"), SECRET_1)));
    assertTrue(grant.covers("r1") && grant.covers("another-room"));
  }

  @Test
  void a_token_signed_with_another_secret_is_refused() {
    refused("bad_signature", tokens.verify(hs256(header("HS256", "k1"), claims(), SECRET_2)));
  }

  @Test
  void a_token_whose_claims_were_changed_after_signing_is_refused() {
    String[] parts = hs256(header("HS256", "k1"), claims(), SECRET_1).split("\\.");
    String tampered = parts[0] + "." + segment(claims().put("room", "*")) + "." + parts[2];
    refused("bad_signature", tokens.verify(tampered));
  }

  @Test
  void a_token_naming_a_key_that_is_not_configured_is_refused() {
    refused("unknown_kid", tokens.verify(hs256(header("HS256", "k9"), claims(), SECRET_1)));
  }

  @Test
  void a_token_without_kid_is_refused_even_when_its_signature_matches_a_key() {
    refused("missing_kid", tokens.verify(hs256(header("HS256", null), claims(), SECRET_1)));
  }

  @Test
  void an_unsigned_alg_none_token_is_refused() {
    String unsigned = segment(header("none", "k1")) + "." + segment(claims()) + ".";
    refused("malformed", tokens.verify(unsigned));
    refused("alg_mismatch", tokens.verify(segment(header("none", "k1")) + "." + segment(claims()) + ".c2ln"));
  }

  @Test
  void without_any_key_every_token_is_refused_including_unsigned_ones() {
    // vertx-auth-jwt with no key at all would accept alg:none tokens: open mode without keys must not
    AccessTokens none = AccessTokens.from(vertx, new AuthConfig(AuthConfig.OPEN, List.of(), List.of()), clockAt(NOW));
    refused("unknown_kid", none.verify(segment(header("none", "k1")) + "." + segment(claims()) + ".x"));
    refused("missing_kid", none.verify(segment(header("none", null)) + "." + segment(claims()) + ".x"));
    assertFalse(none.canIssue());
    assertThrows(IllegalStateException.class, () -> none.issue(open("alice"), Duration.ofHours(1)));
  }

  @Test
  void an_expired_token_is_refused() {
    refused("expired", tokens.verify(hs256(header("HS256", "k1"), claims().put("exp", NOW - 60), SECRET_1)));
  }

  @Test
  void expiry_allows_only_a_few_seconds_of_clock_skew() {
    String token = hs256(header("HS256", "k1"), claims().put("exp", NOW), SECRET_1);
    accepted(AccessTokens.from(vertx, tokenMode("k1:" + SECRET_1), clockAt(NOW + 4)).verify(token));
    refused("expired", AccessTokens.from(vertx, tokenMode("k1:" + SECRET_1), clockAt(NOW + 5)).verify(token));
  }

  @Test
  void a_token_not_yet_valid_is_refused() {
    refused("not_yet_valid", tokens.verify(hs256(header("HS256", "k1"), claims().put("nbf", NOW + 60), SECRET_1)));
  }

  @Test
  void an_iat_in_the_future_is_not_a_reason_to_refuse() {
    // vertx-auth-jwt alone would call this token expired; the protocol only judges exp and nbf
    accepted(tokens.verify(hs256(header("HS256", "k1"), claims().put("iat", NOW + 600), SECRET_1)));
  }

  @Test
  void tokens_without_sub_exp_or_room_are_refused_naming_the_claim() {
    for (String claim : List.of("sub", "exp", "room")) {
      JsonObject claims = claims();
      claims.remove(claim);
      refused("missing_claim:" + claim, tokens.verify(hs256(header("HS256", "k1"), claims, SECRET_1)));
    }
  }

  @Test
  void claims_of_the_wrong_form_are_refused_naming_the_claim() {
    String tooLong = "x".repeat(129);
    List<JsonObject> bad = List.of(claims().put("sub", ""), claims().put("sub", tooLong), claims().put("sub", 42),
        claims().put("room", "no spaces"), claims().put("room", 7), claims().put("name", "n".repeat(65)),
        claims().put("publish", "yes"), claims().put("metadata", "text"), claims().put("exp", "tomorrow"),
        claims().put("nbf", "later"));
    List<String> details = List.of("sub", "sub", "sub", "room", "room", "name", "publish", "metadata", "exp", "nbf");
    for (int i = 0; i < bad.size(); i++) {
      refused("malformed_claim:" + details.get(i), tokens.verify(hs256(header("HS256", "k1"), bad.get(i), SECRET_1)));
    }
  }

  @Test
  void metadata_above_one_kibibyte_is_refused() {
    JsonObject big = new JsonObject().put("blob", "m".repeat(1100));
    refused("metadata_too_large", tokens.verify(hs256(header("HS256", "k1"), claims().put("metadata", big), SECRET_1)));
    JsonObject fits = new JsonObject().put("blob", "m".repeat(1000));
    assertEquals(fits, accepted(tokens.verify(hs256(header("HS256", "k1"), claims().put("metadata", fits), SECRET_1)))
        .metadata());
  }

  @Test
  void things_that_are_not_tokens_are_refused_as_malformed() {
    refused("missing_token", tokens.verify(null));
    refused("missing_token", tokens.verify(""));
    refused("malformed", tokens.verify("not-a-jwt"));
    refused("malformed", tokens.verify("a.b.c.d"));
    refused("malformed", tokens.verify("%%%.%%%.%%%"));
    refused("malformed", tokens.verify(TestTokens.base64url("null".getBytes()) + "." + segment(claims()) + ".sig"));
    refused("malformed", tokens.verify(segment(header("HS256", "k1")) + "." + TestTokens.base64url("[1]".getBytes())
        + ".sig"));
    refused("token_too_large", tokens.verify("a".repeat(AccessTokens.MAX_TOKEN_CHARS + 1)));
  }

  @Test
  void while_both_keys_are_configured_tokens_under_the_old_and_the_new_kid_are_valid() {
    String underOld = hs256(header("HS256", "k1"), claims(), SECRET_1);
    String underNew = hs256(header("HS256", "k2"), claims(), SECRET_2);
    AccessTokens both = AccessTokens.from(vertx, tokenMode("k2:" + SECRET_2, "k1:" + SECRET_1), clockAt(NOW));
    accepted(both.verify(underOld));
    accepted(both.verify(underNew));
    AccessTokens rotated = AccessTokens.from(vertx, tokenMode("k2:" + SECRET_2), clockAt(NOW));
    refused("unknown_kid", rotated.verify(underOld));
    accepted(rotated.verify(underNew));
  }

  @Test
  void a_kid_names_one_key_so_a_token_signed_with_another_configured_key_is_refused() {
    AccessTokens both = AccessTokens.from(vertx, tokenMode("k1:" + SECRET_1, "k2:" + SECRET_2), clockAt(NOW));
    refused("bad_signature", both.verify(hs256(header("HS256", "k1"), claims(), SECRET_2)));
  }

  @Test
  void issued_tokens_are_signed_with_the_first_key_and_carry_the_grant() {
    AccessTokens both = AccessTokens.from(vertx, tokenMode("k2:" + SECRET_2, "k1:" + SECRET_1), clockAt(NOW));
    AccessGrant grant = new AccessGrant("bob", "Bob", new JsonObject().put("k", "v"), true, "r2",
        true, false, true, true, 0, 0);
    for (int i = 0; i < 8; i++) {
      // vertx-auth-jwt alone picks a signing key at random among several: every token must name k2
      String token = both.issue(grant, Duration.ofMinutes(30));
      assertEquals("k2", TestTokens.decodedHeader(token).getString("kid"));
      assertEquals("HS256", TestTokens.decodedHeader(token).getString("alg"));
      assertEquals(NOW, TestTokens.decodedClaims(token).getLong("iat"));
      AccessGrant read = accepted(both.verify(token));
      assertEquals(new AccessGrant("bob", "Bob", new JsonObject().put("k", "v"), true, "r2",
          true, false, true, true, NOW + 1800, 0), read);
    }
  }

  @Test
  void an_issued_token_expires_after_its_ttl() {
    String token = tokens.issue(open("alice"), Duration.ofSeconds(90));
    accepted(AccessTokens.from(vertx, tokenMode("k1:" + SECRET_1), clockAt(NOW + 89)).verify(token));
    refused("expired", AccessTokens.from(vertx, tokenMode("k1:" + SECRET_1), clockAt(NOW + 90 + 5)).verify(token));
  }

  @Test
  void a_grant_that_could_not_verify_is_not_issued() {
    assertThrows(IllegalArgumentException.class, () -> tokens.issue(open(""), Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> tokens.issue(grantFor("alice", "bad room"), Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> tokens.issue(open("alice"), Duration.ZERO));
  }

  @Test
  void the_client_is_told_unauthorized_and_the_log_is_told_why() {
    AuthFailure failure = new AuthFailure("expired");
    assertEquals("unauthorized", failure.reason());
    assertEquals("expired", failure.detail());
    assertEquals(0, failure.getStackTrace().length, "refusals are expected: no stack trace is taken");
  }

  private static AccessGrant open(String identity) {
    return grantFor(identity, "*");
  }

  private static AccessGrant grantFor(String identity, String room) {
    return new AccessGrant(identity, "", new JsonObject(), true, room, true, true, true, false, 0, 0);
  }
}

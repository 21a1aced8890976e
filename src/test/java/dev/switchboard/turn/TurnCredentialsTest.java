package dev.switchboard.turn;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TurnCredentialsTest {
  private final TurnCredentials credentials = new TurnCredentials(List.of("s3cret"), Duration.ofSeconds(600));

  @Test
  void password_is_base64_hmac_sha1_of_the_username_as_coturn_computes_it() {
    // openssl: echo -n "1700000000:alice" | openssl dgst -sha1 -hmac s3cret -binary | base64
    assertEquals("TtElzSjT0GdnTQ9xdcRNxx96yQs=", TurnCredentials.password("s3cret".getBytes(), "1700000000:alice"));
  }

  @Test
  void username_is_expiry_then_peer_id_then_identity_tag() {
    // python3: base64.urlsafe_b64encode(hashlib.sha256(b"alice@example.org").digest())[:12]
    TurnCredential credential = credentials.issue("peerA", "alice@example.org", 1_000);
    assertEquals("1600:peerA:emSt8oc36pBx", credential.username());
    assertEquals(600, credential.ttlSeconds());
    assertEquals(TurnCredentials.password("s3cret".getBytes(), "1600:peerA:emSt8oc36pBx"), credential.password());
  }

  @Test
  void a_peer_without_identity_is_tagged_anon() {
    assertEquals("1600:peerA:anon", credentials.issue("peerA", null, 1_000).username());
  }

  @Test
  void the_identity_tag_is_stable_and_does_not_reveal_the_identity() {
    String tag = CredentialUser.tag("alice@example.org");
    assertEquals(tag, CredentialUser.tag("alice@example.org"));
    assertTrue(tag.matches("[A-Za-z0-9_-]{12}"), tag);
    assertFalse(credentials.issue("p", "alice@example.org", 1_000).username().contains("alice"));
    assertFalse(tag.equals(CredentialUser.tag("alice@example.com")));
  }

  @Test
  void peer_ids_are_sanitised_so_the_username_stays_parseable() {
    assertEquals("1600:evilinjected:anon", credentials.issue("evil:in jected", null, 1_000).username());
    assertEquals("1600:anonymous:anon", credentials.issue("", null, 1_000).username());
    assertEquals(5 + 128 + 5, credentials.issue("x".repeat(500), null, 1_000).username().length());
    assertEquals(new CredentialUser(1600, "evilinjected", CredentialUser.tag("a:b")),
        CredentialUser.parse(credentials.issue("evil:in jected", "a:b", 1_000).username()));
  }

  @Test
  void verification_accepts_until_expiry_and_refuses_wrong_or_expired_credentials() {
    TurnCredential credential = credentials.issue("a", null, 1_000);
    assertTrue(credentials.verify(credential.username(), credential.password(), 1_600));
    assertFalse(credentials.verify(credential.username(), credential.password(), 1_601));
    assertFalse(credentials.verify(credential.username(), "wrong", 1_000));
    assertFalse(credentials.verify("notanumber:a", credential.password(), 1_000));
  }

  @Test
  void rotated_secrets_are_still_accepted_while_the_first_one_signs() {
    TurnCredential old = credentials.issue("a", null, 1_000);
    TurnCredentials rotated = new TurnCredentials(List.of("new-secret", "s3cret"), Duration.ofSeconds(600));
    assertTrue(rotated.verify(old.username(), old.password(), 1_000));
    TurnCredential fresh = rotated.issue("a", null, 1_000);
    assertFalse(credentials.verify(fresh.username(), fresh.password(), 1_000));
  }

  @Test
  void an_empty_secret_is_refused() {
    assertThrows(IllegalArgumentException.class, () -> new TurnCredentials(List.of(""), Duration.ofSeconds(60)));
  }

  @Test
  void ice_server_list_gives_stun_as_is_and_turn_with_the_credential() {
    IceServerList list = new IceServerList(List.of("stun:t.example:3478", "turn:t.example:3478?transport=udp",
        "turn:t.example:3478?transport=tcp"));
    JsonArray servers = list.build(new TurnCredential("1600:a", "pw", 600));
    assertEquals(new JsonArray()
        .add(new JsonObject().put("urls", new JsonArray().add("stun:t.example:3478")))
        .add(new JsonObject().put("urls", new JsonArray().add("turn:t.example:3478?transport=udp")
            .add("turn:t.example:3478?transport=tcp")).put("username", "1600:a").put("credential", "pw")), servers);
    assertEquals(new JsonArray(), new IceServerList(List.of()).build(new TurnCredential("u", "p", 1)));
  }
}

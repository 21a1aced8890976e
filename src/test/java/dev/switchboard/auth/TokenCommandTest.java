package dev.switchboard.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.switchboard.auth.TestTokens.NOW;
import static dev.switchboard.auth.TestTokens.SECRET_1;
import static dev.switchboard.auth.TestTokens.SECRET_2;
import static dev.switchboard.auth.TestTokens.accepted;
import static dev.switchboard.auth.TestTokens.clockAt;
import static dev.switchboard.auth.TestTokens.tokenMode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code switchboard.jar token ...}, run in-process against conf/switchboard.yaml plus an environment. */
@ExtendWith(VertxExtension.class)
@Timeout(30)
class TokenCommandTest {
  private static final Map<String, String> WITH_KEYS = Map.of("SWITCHBOARD_AUTH_KEYS", "k1:" + SECRET_1 + ",k2:" + SECRET_2);

  private record Outcome(int status, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  private static Outcome run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = TokenCommand.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), clockAt(NOW));
    return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void the_printed_token_verifies_on_a_node_with_the_same_keys(Vertx vertx) {
    Outcome outcome = run(WITH_KEYS, "--room", "r1", "--identity", "alice", "--name", "Alice", "--ttl", "2h",
        "--no-publish", "--no-subscribe", "--admin", "--metadata", "{\"k\":\"v\"}");
    assertEquals(0, outcome.status(), outcome.err());
    assertEquals(1, outcome.lines().size(), "only the token on stdout: " + outcome.out());
    String token = outcome.lines().get(0);
    assertEquals("k1", TestTokens.decodedHeader(token).getString("kid"), "signed with the first key");
    AccessGrant grant = accepted(AccessTokens.from(vertx, tokenMode("k1:" + SECRET_1), clockAt(NOW)).verify(token));
    assertEquals(new AccessGrant("alice", "Alice", new JsonObject().put("k", "v"), true, "r1",
        true, false, false, true, NOW + 7200, 0), grant);
  }

  @Test
  void defaults_are_a_one_hour_token_that_may_join_publish_and_subscribe(Vertx vertx) {
    Outcome outcome = run(WITH_KEYS, "--room=*", "--identity=bob");
    assertEquals(0, outcome.status(), outcome.err());
    AccessGrant grant = accepted(AccessTokens.from(vertx, tokenMode("k1:" + SECRET_1), clockAt(NOW))
        .verify(outcome.lines().get(0)));
    assertEquals(new AccessGrant("bob", "", new JsonObject(), true, "*", true, true, true, false, NOW + 3600, 0), grant);
  }

  @Test
  void with_url_the_join_link_follows_the_token() {
    Outcome outcome = run(WITH_KEYS, "--room", "r1", "--identity", "alice", "--url", "https://x.example/");
    assertEquals(0, outcome.status(), outcome.err());
    assertEquals(2, outcome.lines().size());
    assertEquals("https://x.example/r/r1#token=" + outcome.lines().get(0), outcome.lines().get(1));
  }

  @Test
  void without_a_signing_key_the_command_exits_2_and_says_how_to_configure_one() {
    Outcome outcome = run(Map.of(), "--room", "r1", "--identity", "alice");
    assertEquals(2, outcome.status());
    assertEquals("", outcome.out());
    assertTrue(outcome.err().contains("no signing key is configured") && outcome.err().contains("SWITCHBOARD_AUTH_KEYS"),
        outcome.err());
  }

  @Test
  void a_configuration_error_exits_2_with_its_message() {
    Outcome outcome = run(Map.of("SWITCHBOARD_AUTH_KEYS", "k1:short"), "--room", "r1", "--identity", "alice");
    assertEquals(2, outcome.status());
    assertTrue(outcome.err().contains("the secret of key id k1 is 5 bytes"), outcome.err());
    assertFalse(outcome.err().contains("short"), "a secret is never printed");
  }

  @Test
  void bad_arguments_exit_2_with_a_clear_message() {
    List<List<String>> bad = List.of(
        List.of("--identity", "alice"),
        List.of("--room", "r1", "--identity", "alice", "--ttl", "2w"),
        List.of("--room", "r1", "--identity", "alice", "--metadata", "[1]"),
        List.of("--room", "r1", "--identity", "alice", "--frobnicate"),
        List.of("--room", "r1", "--identity"),
        List.of("--room", "*", "--identity", "alice", "--url", "https://x.example"),
        List.of("--room", "r1", "--identity", "alice", "--url", "x.example"),
        List.of("--room", "no spaces", "--identity", "alice"),
        List.of("--room", "r1", "--identity", "alice", "--name", "n".repeat(65)));
    List<String> said = List.of("--room and --identity are required", "--ttl must be", "--metadata must be a JSON object",
        "unknown argument: --frobnicate", "--identity needs a value", "--url needs one room", "--url must be",
        "the room must be", "the name must be at most 64");
    for (int i = 0; i < bad.size(); i++) {
      Outcome outcome = run(WITH_KEYS, bad.get(i).toArray(String[]::new));
      assertEquals(2, outcome.status(), String.join(" ", bad.get(i)));
      assertEquals("", outcome.out());
      assertTrue(outcome.err().contains(said.get(i)), outcome.err());
    }
  }

  @Test
  void help_prints_the_usage_and_succeeds() {
    Outcome outcome = run(Map.of(), "--help");
    assertEquals(0, outcome.status());
    assertTrue(outcome.out().startsWith("Usage: switchboard.jar token"), outcome.out());
  }

  @Test
  void ttls_are_seconds_minutes_hours_or_days() {
    assertEquals(Duration.ofSeconds(90), TokenCommand.parseTtl("90s"));
    assertEquals(Duration.ofMinutes(30), TokenCommand.parseTtl("30m"));
    assertEquals(Duration.ofHours(2), TokenCommand.parseTtl("2h"));
    assertEquals(Duration.ofDays(7), TokenCommand.parseTtl("7d"));
    for (String bad : List.of("0s", "2", "h", "-1h", "1.5h", "2 h")) {
      assertThrows(IllegalArgumentException.class, () -> TokenCommand.parseTtl(bad), bad);
    }
  }
}

package dev.switchboard.config;

import dev.switchboard.config.SwitchboardConfig.AuthConfig;
import dev.switchboard.config.SwitchboardConfig.AuthConfig.PublicKeyFile;
import dev.switchboard.config.SwitchboardConfig.AuthConfig.SecretKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The auth section: docs/protocol.md §4 and conf/switchboard.yaml. */
@ExtendWith(VertxExtension.class)
@Timeout(10)
class AuthConfigTest {
  private static final String SECRET_1 = "first-secret-of-at-least-32-bytes-0001";
  private static final String SECRET_2 = "second-secret-of-at-least-32-bytes-002";

  @Test
  void the_shipped_yaml_is_open_mode_without_keys(Vertx vertx) {
    AuthConfig auth = load(vertx, Map.of()).auth();
    assertEquals(AuthConfig.OPEN, auth.mode());
    assertFalse(auth.tokenMode());
    assertEquals(List.of(), auth.keys());
    assertEquals(List.of(), auth.publicKeys());
  }

  @Test
  void keys_come_from_the_environment_as_a_comma_separated_list_in_order(Vertx vertx) {
    AuthConfig auth = load(vertx, Map.of("SWITCHBOARD_AUTH_MODE", "token",
        "SWITCHBOARD_AUTH_KEYS", "k2:" + SECRET_2 + ", k1:" + SECRET_1)).auth();
    assertTrue(auth.tokenMode());
    assertEquals(List.of(new SecretKey("k2", SECRET_2), new SecretKey("k1", SECRET_1)), auth.secretKeys());
  }

  @Test
  void a_secret_may_itself_hold_colons() {
    AuthConfig auth = new AuthConfig("token", List.of("k1:" + SECRET_1 + ":x"), List.of());
    assertEquals(List.of(new SecretKey("k1", SECRET_1 + ":x")), auth.secretKeys());
  }

  @Test
  void public_keys_name_their_algorithm_and_pem_file(Vertx vertx) {
    AuthConfig auth = load(vertx, Map.of("SWITCHBOARD_AUTH_PUBLIC_KEYS", "ec1:ES256:/etc/keys/ec1.pem,rsa:RS256:C:/k.pem"))
        .auth();
    assertEquals(List.of(new PublicKeyFile("ec1", "ES256", Path.of("/etc/keys/ec1.pem")),
        new PublicKeyFile("rsa", "RS256", Path.of("C:/k.pem"))), auth.publicKeyFiles());
    ConfigException hs = assertThrows(ConfigException.class,
        () -> new AuthConfig("token", List.of(), List.of("k:HS256:/k.pem")));
    assertEquals("auth.public-keys: expected kid:ES256:path or kid:RS256:path, found: k:HS256:/k.pem", hs.getMessage());
  }

  @Test
  void token_mode_without_any_key_stops_the_start_saying_what_to_set(Vertx vertx) {
    Throwable failure = failure(vertx, Map.of("SWITCHBOARD_AUTH_MODE", "token"));
    assertTrue(failure instanceof ConfigException, String.valueOf(failure));
    assertEquals("auth.mode is token but no key is configured: set auth.keys (or SWITCHBOARD_AUTH_KEYS=kid:secret,"
        + " a secret of at least 32 bytes) or auth.public-keys", failure.getMessage());
  }

  @Test
  void a_mode_other_than_open_or_token_is_refused(Vertx vertx) {
    assertEquals("auth.mode must be \"open\" or \"token\", found: closed",
        failure(vertx, Map.of("SWITCHBOARD_AUTH_MODE", "closed")).getMessage());
    assertEquals("auth.mode must be \"open\" or \"token\", found: nothing",
        assertThrows(ConfigException.class, () -> new AuthConfig("", List.of(), List.of())).getMessage());
  }

  @Test
  void a_secret_under_256_bits_is_refused_without_printing_it(Vertx vertx) {
    Throwable failure = failure(vertx, Map.of("SWITCHBOARD_AUTH_KEYS", "k1:" + "s".repeat(31)));
    assertTrue(failure.getMessage().startsWith("auth.keys: the secret of key id k1 is 31 bytes; HS256 needs at least 32"),
        failure.getMessage());
    assertFalse(failure.getMessage().contains("sss"));
    ConfigException noColon = assertThrows(ConfigException.class,
        () -> new AuthConfig("open", List.of("just-a-secret-without-a-key-id-0123456789"), List.of()));
    assertFalse(noColon.getMessage().contains("just-a-secret"), noColon.getMessage());
  }

  @Test
  void key_ids_are_short_plain_names_used_once() {
    assertTrue(assertThrows(ConfigException.class, () -> new AuthConfig("token", List.of(":" + SECRET_1), List.of()))
        .getMessage().startsWith("auth.keys: a key id must be 1-64 characters"));
    ConfigException twice = assertThrows(ConfigException.class,
        () -> new AuthConfig("token", List.of("k1:" + SECRET_1), List.of("k1:ES256:/k.pem")));
    assertTrue(twice.getMessage().contains("key id k1 is configured twice"), twice.getMessage());
  }

  @Test
  void secrets_never_appear_when_the_configuration_is_printed() {
    AuthConfig auth = new AuthConfig("token", List.of("k1:" + SECRET_1), List.of());
    assertFalse(auth.toString().contains(SECRET_1), auth.toString());
    assertTrue(auth.toString().contains("k1"), auth.toString());
  }

  private static SwitchboardConfig load(Vertx vertx, Map<String, String> env) {
    return on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, env), 5);
  }

  private static Throwable failure(Vertx vertx, Map<String, String> env) {
    Future<Throwable> failed = ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, env)
        .map(config -> (Throwable) null).otherwise(cause -> cause);
    Throwable cause = on(failed, 5);
    assertTrue(cause != null, "the configuration was accepted");
    return cause;
  }
}

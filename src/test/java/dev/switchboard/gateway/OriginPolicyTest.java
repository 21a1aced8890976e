package dev.switchboard.gateway;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OriginPolicyTest {
  private final OriginPolicy defaults = new OriginPolicy(List.of(), true);

  @Test
  void native_clients_without_origin_are_allowed() {
    assertTrue(defaults.allows(null, "switchboard.example"));
  }

  @Test
  void same_origin_is_allowed_and_a_foreign_one_is_not() {
    assertTrue(defaults.allows("https://switchboard.example", "switchboard.example"));
    assertTrue(defaults.allows("https://switchboard.example:8443", "switchboard.example:8443"));
    assertFalse(defaults.allows("https://evil.example", "switchboard.example"));
    assertFalse(defaults.allows("https://switchboard.example.evil.example", "switchboard.example"));
  }

  @Test
  void localhost_origins_are_allowed_only_when_configured() {
    assertTrue(defaults.allows("http://localhost:3000", "switchboard.example"));
    assertTrue(defaults.allows("http://127.0.0.1:8080", "switchboard.example"));
    assertTrue(defaults.allows("http://[::1]:8080", "switchboard.example"));
    assertFalse(new OriginPolicy(List.of(), false).allows("http://localhost:3000", "switchboard.example"));
  }

  @Test
  void listed_origins_are_allowed_whatever_the_host() {
    OriginPolicy listed = new OriginPolicy(List.of("https://app.example/"), false);
    assertTrue(listed.allows("https://APP.example", "api.example"));
    assertFalse(listed.allows("http://app.example", "api.example"));
  }

  @Test
  void garbage_origins_are_refused() {
    assertFalse(defaults.allows("null", "switchboard.example"));
    assertFalse(defaults.allows("not a uri", "switchboard.example"));
  }
}

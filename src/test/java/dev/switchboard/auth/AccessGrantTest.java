package dev.switchboard.auth;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a grant allows: docs/protocol.md §4 (open mode) and §5 (grants, one verified identity per room). */
@Timeout(10)
class AccessGrantTest {

  @Test
  void a_grant_covers_its_own_room_only_unless_it_is_for_every_room() {
    AccessGrant one = grant("alice", "r1", true, 100);
    assertTrue(one.covers("r1"));
    assertFalse(one.covers("r2"));
    assertFalse(one.covers("*"), "a literal * room is not a wildcard from the joiner's side");
    assertTrue(grant("alice", "*", true, 100).covers("any-room"));
  }

  @Test
  void a_grant_expires_at_its_exp_plus_a_few_seconds_of_clock_skew() {
    AccessGrant grant = grant("alice", "r1", true, 1000);
    assertFalse(grant.expiredAt(999));
    assertFalse(grant.expiredAt(1000 + AccessGrant.CLOCK_SKEW_SECONDS - 1));
    assertTrue(grant.expiredAt(1000 + AccessGrant.CLOCK_SKEW_SECONDS));
  }

  @Test
  void open_mode_takes_join_params_as_given_unverified_for_every_room_without_admin() {
    AccessGrant grant = AccessGrant.open("alice", "Alice", new JsonObject().put("team", "blue"));
    assertEquals(new AccessGrant("alice", "Alice", new JsonObject().put("team", "blue"), false, "*",
        true, true, true, false, Long.MAX_VALUE, 0), grant);
    assertFalse(grant.expiredAt(Long.MAX_VALUE - 1), "an open grant never expires (and never overflows)");
    assertTrue(grant.covers("r1"));
  }

  @Test
  void open_mode_caps_identity_name_and_metadata() {
    JsonObject big = new JsonObject().put("blob", "m".repeat(1100));
    AccessGrant grant = AccessGrant.open("i".repeat(300), "n".repeat(100), big);
    assertEquals("i".repeat(128), grant.identity());
    assertEquals("n".repeat(64), grant.name());
    assertEquals(new JsonObject(), grant.metadata(), "metadata above 1 KiB is dropped, not cut");
    JsonObject small = new JsonObject().put("blob", "m".repeat(1000));
    assertEquals(small, AccessGrant.open("a", "b", small).metadata());
  }

  @Test
  void open_mode_caps_count_characters_and_never_split_one() {
    String emoji = "\uD83D\uDE00"; // one character, two UTF-16 units
    AccessGrant grant = AccessGrant.open(emoji.repeat(200), emoji.repeat(70), null);
    assertEquals(emoji.repeat(128), grant.identity());
    assertEquals(emoji.repeat(64), grant.name());
    assertEquals(new JsonObject(), grant.metadata());
    assertEquals("", AccessGrant.open(null, null, null).name());
  }

  @Test
  void the_same_identity_means_equal_identities_with_equal_verification() {
    AccessGrant verified = grant("alice", "r1", true, 100);
    assertTrue(verified.sameIdentity(grant("alice", "*", true, 999)), "other room or expiry: still alice");
    assertFalse(verified.sameIdentity(grant("bob", "r1", true, 100)));
    assertFalse(verified.sameIdentity(AccessGrant.open("alice", "", null)),
        "an unverified claim to be alice is not alice");
    assertFalse(verified.sameIdentity(null));
  }

  @Test
  void a_grant_cannot_be_changed_through_its_metadata() {
    JsonObject metadata = new JsonObject().put("k", "v");
    AccessGrant grant = AccessGrant.open("alice", "", metadata);
    metadata.put("k", "changed");
    grant.metadata().put("k", "changed too");
    assertEquals(new JsonObject().put("k", "v"), grant.metadata());
  }

  private static AccessGrant grant(String identity, String room, boolean verified, long expiresAt) {
    return new AccessGrant(identity, "", new JsonObject(), verified, room, true, true, true, false, expiresAt, 0);
  }
}

package dev.switchboard.turn;

import dev.switchboard.bus.TurnRevocation;
import dev.switchboard.support.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a relay remembers of revocations, and that it forgets each one once its credentials have expired. */
@Timeout(5)
class RevocationsTest {
  private static final long NOW = 1_700_000_000L;
  private final FakeClock clock = new FakeClock(Instant.ofEpochSecond(NOW));
  private final Revocations revocations = new Revocations(clock, Duration.ofSeconds(600));
  private final TurnCredentials credentials = new TurnCredentials(List.of("s"), Duration.ofSeconds(600));

  private String username(String peer, long issuedAt) {
    return credentials.issue(peer, "alice", issuedAt).username();
  }

  @Test
  void nothing_is_revoked_at_first() {
    assertFalse(revocations.covers(username("peerA", NOW)));
    assertFalse(revocations.covers("kiosk"));
    assertEquals(0, revocations.size());
  }

  @Test
  void a_revoked_username_is_covered_until_its_own_expiry_then_forgotten() {
    String early = username("peerA", NOW - 500); // expires in 100 s
    revocations.revoke(new TurnRevocation(null, List.of(early)));
    assertTrue(revocations.covers(early));
    assertFalse(revocations.covers(username("peerA", NOW)), "only that username: no peer id was named");

    clock.advance(Duration.ofSeconds(100 + Revocations.GRACE_SECONDS));
    revocations.purge();
    assertTrue(revocations.covers(early), "kept through the grace after expiry");
    clock.advance(Duration.ofSeconds(1));
    revocations.purge();
    assertFalse(revocations.covers(early));
    assertEquals(0, revocations.size());
  }

  @Test
  void a_revoked_peer_id_covers_every_username_bound_to_it_for_one_ttl() {
    String listed = username("peerA", NOW - 60);
    revocations.revoke(new TurnRevocation("peerA", List.of(listed)));
    assertTrue(revocations.covers(listed));
    assertTrue(revocations.covers(username("peerA", NOW)), "a credential the revocation did not list");
    assertTrue(revocations.covers(credentials.issue("peerA", null, NOW).username()), "whatever the identity");
    assertFalse(revocations.covers(username("peerB", NOW)), "another peer of the same identity");

    clock.advance(Duration.ofSeconds(600 + Revocations.GRACE_SECONDS + 1));
    revocations.purge();
    assertFalse(revocations.covers(username("peerA", NOW)), "every credential issued before has expired");
    assertEquals(0, revocations.size());
  }

  @Test
  void a_username_that_is_not_peer_bound_is_revoked_by_name_for_one_ttl() {
    revocations.revoke(new TurnRevocation(null, List.of("kiosk")));
    assertTrue(revocations.covers("kiosk"));
    assertFalse(revocations.covers("kiosk2"));
    clock.advance(Duration.ofSeconds(600 + Revocations.GRACE_SECONDS + 1));
    revocations.purge();
    assertFalse(revocations.covers("kiosk"));
  }

  @Test
  void memory_is_bounded_by_the_revocations_of_one_ttl() {
    for (int i = 0; i < 1_000; i++) {
      revocations.revoke(new TurnRevocation("peer" + i, List.of(username("peer" + i, clock.epochSeconds()))));
      clock.advance(Duration.ofSeconds(1));
      revocations.purge();
    }
    // after 1000 s only the revocations of the last TTL (+ grace) can still matter: a username and a peer id each
    assertEquals(2 * (600 + Revocations.GRACE_SECONDS), revocations.size());
  }
}

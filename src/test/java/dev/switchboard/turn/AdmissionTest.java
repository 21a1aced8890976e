package dev.switchboard.turn;

import dev.switchboard.bus.TurnRevocation;
import dev.switchboard.support.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who may hold one more allocation: quotas per peer and per identity, and no one revoked. */
@Timeout(5)
class AdmissionTest {
  private final FakeClock clock = FakeClock.now();
  private final Revocations revocations = new Revocations(clock, Duration.ofSeconds(600));
  private final Admission admission = new Admission(revocations, 2, 3);
  private final TurnCredentials credentials = new TurnCredentials(List.of("s"), Duration.ofSeconds(600));

  private String username(String peer, String identity, long issuedAt) {
    return credentials.issue(peer, identity, issuedAt).username();
  }

  @Test
  void the_peer_quota_counts_every_credential_of_the_peer() {
    long now = clock.epochSeconds();
    assertTrue(admission.acquire(username("a", "alice", now)));
    assertTrue(admission.acquire(username("a", "alice", now + 1)));
    assertFalse(admission.acquire(username("a", "alice", now + 2)));
    admission.release(username("a", "alice", now));
    assertTrue(admission.acquire(username("a", "alice", now + 2)), "a released allocation makes room");
  }

  @Test
  void the_identity_quota_counts_across_peers_and_a_refusal_takes_nothing() {
    long now = clock.epochSeconds();
    assertTrue(admission.acquire(username("a", "alice", now)));
    assertTrue(admission.acquire(username("b", "alice", now)));
    assertTrue(admission.acquire(username("c", "alice", now)));
    assertFalse(admission.acquire(username("d", "alice", now)));
    assertTrue(admission.acquire(username("d", "bob", now)), "d's peer count was not kept from the refusal");
    assertTrue(admission.acquire(username("d", "bob", now)));
  }

  @Test
  void anonymous_peers_share_a_tag_but_not_an_identity_quota() {
    long now = clock.epochSeconds();
    for (int i = 0; i < 10; i++) {
      assertTrue(admission.acquire(username("anon" + i, null, now)));
    }
  }

  @Test
  void static_users_count_per_username_apart_from_a_peer_of_the_same_name() {
    assertTrue(admission.acquire("kiosk"));
    assertTrue(admission.acquire("kiosk"));
    assertFalse(admission.acquire("kiosk"));
    assertTrue(admission.acquire(username("kiosk", null, clock.epochSeconds())));
  }

  @Test
  void revoked_usernames_are_refused_and_torn_down_and_both_are_counted() {
    String username = username("a", "alice", clock.epochSeconds());
    assertFalse(admission.refuses(username));
    revocations.revoke(new TurnRevocation("a", List.of()));
    assertTrue(admission.refuses(username));
    assertTrue(admission.tearsDown(username));
    assertFalse(admission.tearsDown(username("b", "alice", clock.epochSeconds())));
    assertEquals(1, admission.revokedRefusals.sum());
    assertEquals(1, admission.revokedTeardowns.sum());
  }

  @Test
  void refused_and_released_allocations_leave_no_count_behind() {
    long now = clock.epochSeconds();
    for (String peer : List.of("a", "b", "c")) {
      assertTrue(admission.acquire(username(peer, "alice", now)));
    }
    assertFalse(admission.acquire(username("d", "alice", now)), "alice is at her identity quota");
    assertEquals(4, admission.counted(), "three peers and one identity: nothing for d");
    for (String peer : List.of("a", "b", "c")) {
      admission.release(username(peer, "alice", now));
    }
    assertEquals(0, admission.counted());
  }
}

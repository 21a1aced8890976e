package dev.switchboard.turn;

import dev.switchboard.bus.TurnRevocation;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TURN usernames and peer ids revoked on this node's relay, written by the bus consumer and read by the
 * packet threads (at Allocate) and the sweeper (teardown, purge): concurrent maps, no lock.
 *
 * <p>An entry only has to outlive every credential it covers: a revoked username until its own expiry, a
 * revoked peer id until the latest expiry a credential issued before the revocation can carry (now + TTL).
 * After that the expiry check at Allocate refuses those credentials anyway, so memory is bounded by the
 * revocation rate times the TTL. A grace on top keeps an entry across several sweeps, so an allocation
 * placed while its revocation was arriving is still found and torn down.
 */
public final class Revocations {
  static final long GRACE_SECONDS = 10;

  private final Clock clock;
  private final long ttlSeconds;
  /** username or peer id → epoch second until which it stays revoked */
  private final Map<String, Long> usernames = new ConcurrentHashMap<>();
  private final Map<String, Long> peerIds = new ConcurrentHashMap<>();

  public Revocations(Clock clock, Duration credentialTtl) {
    this.clock = clock;
    this.ttlSeconds = credentialTtl.toSeconds();
  }

  public void revoke(TurnRevocation revocation) {
    long now = clock.instant().getEpochSecond();
    // a username that is not peer-bound (static user, another issuer's) carries no expiry we can read:
    // it stays revoked as long as a peer id would
    long peerUntil = now + ttlSeconds + GRACE_SECONDS;
    for (String username : revocation.usernames()) {
      if (username == null || username.isEmpty()) {
        continue;
      }
      CredentialUser user = CredentialUser.parse(username);
      long until = user == null ? now + ttlSeconds + GRACE_SECONDS : Math.max(user.expiry(), now) + GRACE_SECONDS;
      usernames.merge(username, until, Math::max);
      // another node may issue with a longer TTL: the peer id must cover what was actually handed out
      peerUntil = Math.max(peerUntil, until);
    }
    if (revocation.peerId() != null && !revocation.peerId().isEmpty()) {
      peerIds.merge(revocation.peerId(), peerUntil, Math::max);
    }
  }

  /** True when allocations made with this username must be refused and torn down. */
  public boolean covers(String username) {
    if (usernames.isEmpty() && peerIds.isEmpty()) {
      return false; // the usual case, asked for every allocation on every sweep: no parsing
    }
    if (usernames.containsKey(username)) {
      return true;
    }
    CredentialUser user = CredentialUser.parse(username);
    return user != null && peerIds.containsKey(user.peerId());
  }

  /** Forgets the entries whose credentials can no longer allocate; the sweeper calls it. */
  public void purge() {
    long now = clock.instant().getEpochSecond();
    usernames.values().removeIf(until -> until < now);
    peerIds.values().removeIf(until -> until < now);
  }

  /** Entries held (usernames plus peer ids), for the gauge that shows the memory bound at work. */
  public int size() {
    return usernames.size() + peerIds.size();
  }
}

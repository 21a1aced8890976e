package dev.switchboard.turn;

import dev.switchboard.turn.allocation.Quota;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Whether a verified username may hold an allocation: not when it is revoked, nor beyond the quotas per peer
 * ({@code turn.user-quota}) and per identity ({@code turn.identity-quota}). Allocates, the sweeper and closing
 * TCP connections admit and release concurrently: both counts change together under this object's lock, so no
 * one sees a peer counted whose identity was then refused, and a count that reaches zero is dropped (a refused
 * or ended allocation leaves no entry behind).
 */
final class Admission implements Quota {
  final LongAdder revokedRefusals = new LongAdder();
  final LongAdder revokedTeardowns = new LongAdder();
  private final Revocations revocations;
  private final int perPeer;
  private final int perIdentity;
  private final Map<String, Integer> byPeer = new ConcurrentHashMap<>();
  private final Map<String, Integer> byIdentity = new ConcurrentHashMap<>();

  Admission(Revocations revocations, int perPeer, int perIdentity) {
    this.revocations = revocations;
    this.perPeer = perPeer;
    this.perIdentity = perIdentity;
  }

  /** At Allocate: true (and counted) when the username is revoked. */
  boolean refuses(String username) {
    if (revocations.covers(username)) {
      revokedRefusals.increment();
      return true;
    }
    return false;
  }

  /** On the sweeper: true (and counted) when an existing allocation's username has been revoked since. */
  boolean tearsDown(String username) {
    if (revocations.covers(username)) {
      revokedTeardowns.increment();
      return true;
    }
    return false;
  }

  void purgeRevocations() {
    revocations.purge();
  }

  /** Counts a new allocation in; false, with nothing counted, when the peer or its identity is at its quota. */
  @Override
  public synchronized boolean acquire(String username) {
    CredentialUser user = CredentialUser.parse(username);
    String peer = peerKey(username, user);
    if (!take(byPeer, peer, perPeer)) {
      return false;
    }
    if (user != null && user.hasIdentity() && !take(byIdentity, user.identityTag(), perIdentity)) {
      give(byPeer, peer);
      return false;
    }
    return true;
  }

  @Override
  public synchronized void release(String username) {
    CredentialUser user = CredentialUser.parse(username);
    give(byPeer, peerKey(username, user));
    if (user != null && user.hasIdentity()) {
      give(byIdentity, user.identityTag());
    }
  }

  /** Peers and identities with a count: none for those that hold nothing. */
  synchronized int counted() {
    return byPeer.size() + byIdentity.size();
  }

  /**
   * The peer id of a peer-bound username: one peer's successive credentials share its quota. Static users
   * and other issuers' usernames have no peer id and count as a whole (prefixed apart, so a static user
   * named like a peer id does not share that peer's count).
   */
  private static String peerKey(String username, CredentialUser user) {
    return user == null ? "user " + username : "peer " + user.peerId();
  }

  private static boolean take(Map<String, Integer> counts, String key, int limit) {
    boolean[] taken = new boolean[1];
    counts.compute(key, (k, count) -> {
      int current = count == null ? 0 : count;
      taken[0] = current < limit;
      return taken[0] ? current + 1 : count;
    });
    return taken[0];
  }

  private static void give(Map<String, Integer> counts, String key) {
    counts.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
  }
}

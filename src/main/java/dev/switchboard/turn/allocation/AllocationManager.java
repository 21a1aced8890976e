package dev.switchboard.turn.allocation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Every allocation, keyed by its client's 5-tuple, and every EVEN-PORT reservation, with the quotas they count
 * against (per user through {@link Quota}, and in total) and their expiry.
 *
 * <p>Creating and ending happen under this object's lock, so a quota check and its count are one step and a
 * refused Allocate leaves nothing behind. Binding the relay port happens under it too: at most
 * {@link RelayPorts#MAX_BINDS} system calls, and only for Allocates that passed authentication and quotas.
 * Lookups on the packet paths do not lock.
 */
public final class AllocationManager {
  public static final long RESERVATION_MILLIS = 30_000;

  /** Why an Allocate was refused, as the error code to answer with. */
  public enum Refusal {
    MISMATCH(437), QUOTA(486), CAPACITY(508);

    public final int code;

    Refusal(int code) {
      this.code = code;
    }
  }

  /** What an Allocate asks for, after authentication. */
  public record Request(FiveTuple fiveTuple, ClientLink link, String username, byte[] key, InetAddress relayIp,
                        InetAddress advertisedIp, byte[] transaction, long lifetimeMillis, boolean evenPort,
                        boolean reserveNext, byte[] reservationToken) {
  }

  /** Either an allocation (with a reservation token when one was made) or a refusal. */
  public record Outcome(Allocation allocation, byte[] reservationToken, Refusal refusal) {
    static Outcome refused(Refusal refusal) {
      return new Outcome(null, null, refusal);
    }
  }

  private record Reservation(String username, InetAddress ip, int port, RelaySocket socket, long expiresAt) {
  }

  private final Map<FiveTuple, Allocation> allocations = new ConcurrentHashMap<>();
  private final Map<Long, Reservation> reservations = new ConcurrentHashMap<>();
  private final Quota quota;
  private final int totalQuota;
  private final RelayPorts ports;
  private final Clock clock;
  private final long bytesPerSecond;
  private final SecureRandom random = new SecureRandom();
  /** Called once for each allocation that starts (to register its relay socket for reading). */
  private final Consumer<Allocation> onStart;

  public AllocationManager(Quota quota, int totalQuota, RelayPorts ports, Clock clock, long bytesPerSecond,
                           Consumer<Allocation> onStart) {
    this.quota = quota;
    this.totalQuota = totalQuota;
    this.ports = ports;
    this.clock = clock;
    this.bytesPerSecond = bytesPerSecond;
    this.onStart = onStart;
  }

  public Allocation get(FiveTuple fiveTuple) {
    return allocations.get(fiveTuple);
  }

  /**
   * Creates the allocation with everything it counts against, or nothing at all. Reservations count as
   * allocations, against the user's quota and the total; the Allocate that redeems a token takes over its
   * reservation's count when it is made by the same user.
   */
  public synchronized Outcome create(Request request) {
    if (allocations.containsKey(request.fiveTuple())) {
      return Outcome.refused(Refusal.MISMATCH);
    }
    Reservation redeemed = null;
    long tokenKey = 0;
    if (request.reservationToken() != null) {
      tokenKey = tokenKey(request.reservationToken());
      redeemed = reservations.get(tokenKey);
      if (redeemed == null || !redeemed.ip().equals(request.relayIp())) {
        return Outcome.refused(Refusal.CAPACITY);
      }
    }
    // every check first, then every change: a refusal has nothing to undo
    boolean takesOverCount = redeemed != null && redeemed.username().equals(request.username());
    int newCounts = (takesOverCount ? 0 : 1) + (request.reserveNext() ? 1 : 0);
    int freed = redeemed != null ? 1 : 0;
    if (count() - freed + 1 + (request.reserveNext() ? 1 : 0) > totalQuota) {
      return Outcome.refused(Refusal.CAPACITY);
    }
    for (int acquired = 0; acquired < newCounts; acquired++) {
      if (!quota.acquire(request.username())) {
        giveBack(request.username(), acquired);
        return Outcome.refused(Refusal.QUOTA);
      }
    }
    RelayPorts.Bound bound;
    if (redeemed != null) {
      reservations.remove(tokenKey);
      if (!takesOverCount) {
        quota.release(redeemed.username());
      }
      bound = new RelayPorts.Bound(redeemed.socket(), redeemed.port(), null);
    } else {
      try {
        bound = ports.bind(request.relayIp(), request.evenPort(), request.reserveNext());
      } catch (IOException noPort) {
        giveBack(request.username(), newCounts);
        return Outcome.refused(Refusal.CAPACITY);
      }
    }
    long now = clock.millis();
    Allocation allocation = new Allocation(request.fiveTuple(), request.link(), request.username(), request.key(),
        bound.socket(), request.relayIp(), bound.port(), new InetSocketAddress(request.advertisedIp(), bound.port()),
        request.transaction(), now + request.lifetimeMillis(), bytesPerSecond);
    byte[] token = null;
    if (bound.next() != null) {
      token = new byte[8];
      random.nextBytes(token);
      reservations.put(tokenKey(token), new Reservation(request.username(), request.relayIp(), bound.port() + 1,
          bound.next(), now + RESERVATION_MILLIS));
    }
    allocations.put(request.fiveTuple(), allocation);
    onStart.accept(allocation);
    return new Outcome(allocation, token, null);
  }

  private void giveBack(String username, int count) {
    for (int i = 0; i < count; i++) {
      quota.release(username);
    }
  }

  /** Refresh with a lifetime: false (answer 437) when the allocation has ended or ran out. */
  public boolean refresh(Allocation allocation, long lifetimeMillis) {
    return allocation.refresh(clock.millis(), lifetimeMillis);
  }

  /** Refresh with lifetime 0: false (answer 437) when the allocation had already ended or ran out. */
  public boolean delete(Allocation allocation) {
    if (!allocation.delete(clock.millis())) {
      return false;
    }
    release(allocation);
    return true;
  }

  /**
   * Ends the allocation if its lifetime has run out, as the sweeper would, so that an Allocate on its 5-tuple need
   * not wait for the sweep; true when it is over (ended here or before).
   */
  public boolean endIfExpired(Allocation allocation) {
    long now = clock.millis();
    if (allocation.endIfExpired(now)) {
      release(allocation);
    }
    return !allocation.alive(now);
  }

  /** Ends an allocation now, whatever its lifetime (its TCP connection closed, its credential was revoked). */
  public void end(Allocation allocation) {
    if (allocation.end()) {
      release(allocation);
    }
  }

  private synchronized void release(Allocation allocation) {
    allocations.remove(allocation.fiveTuple, allocation);
    allocation.relay.close();
    ports.release(allocation.relayIp, allocation.relayPort);
    quota.release(allocation.username);
  }

  /**
   * Ends expired allocations and reservations, and those {@code revoked} names, and forgets expired permissions
   * and channels. Runs on one thread; packet threads and requests go on meanwhile.
   */
  public void sweep(Predicate<String> revoked) {
    long now = clock.millis();
    for (Allocation allocation : allocations.values()) {
      if (allocation.endIfExpired(now)) {
        release(allocation);
      } else if (revoked.test(allocation.username)) {
        end(allocation);
      } else {
        allocation.prune(now);
      }
    }
    for (Map.Entry<Long, Reservation> entry : reservations.entrySet()) {
      if (entry.getValue().expiresAt() <= now) {
        expire(entry.getKey(), entry.getValue());
      }
    }
  }

  /** Frees the reservation's port and gives its count back. */
  private synchronized void expire(long token, Reservation reservation) {
    if (reservations.remove(token, reservation)) {
      reservation.socket().close();
      ports.release(reservation.ip(), reservation.port());
      quota.release(reservation.username());
    }
  }

  /** Ends everything (shutdown). */
  public synchronized void closeAll() {
    allocations.values().forEach(this::end);
    reservations.forEach(this::expire);
  }

  public Collection<Allocation> allocations() {
    return allocations.values();
  }

  public int allocationCount() {
    return allocations.size();
  }

  public int reservationCount() {
    return reservations.size();
  }

  /** Relay ports handed out (to allocations and reservations). */
  public int portsInUse() {
    return ports.inUse();
  }

  private int count() {
    return allocations.size() + reservations.size();
  }

  private static long tokenKey(byte[] token) {
    return token.length == 8 ? ByteBuffer.wrap(token).getLong() : Arrays.hashCode(token);
  }
}

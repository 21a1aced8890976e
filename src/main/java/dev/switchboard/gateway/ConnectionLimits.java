package dev.switchboard.gateway;

import dev.switchboard.channel.TokenBucket;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps on open sockets, in total and per client address, shared by every gateway instance of a node. A
 * slot is taken before the WebSocket upgrade and given back when the socket is gone, so a client cannot
 * hold more than its share of the node's file descriptors and memory whatever it sends or fails to send.
 */
public final class ConnectionLimits {
  /** Why a connection was refused; each maps to an HTTP status the client can read before the upgrade. */
  public enum Refusal {
    NODE_FULL(503, "node_full"),
    TOO_MANY_FROM_ADDRESS(429, "too_many_connections");

    public final int status;
    public final String reason;

    Refusal(int status, String reason) {
      this.status = status;
      this.reason = reason;
    }
  }

  private final int maxTotal;
  private final int maxPerAddress;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perAddress = new ConcurrentHashMap<>();
  /**
   * Room joins per client address: a token bucket while the address holds sockets (dropped with its last
   * one, so the map is bounded by the sockets' cap).
   */
  private final ConcurrentHashMap<String, TokenBucket> joinsPerAddress = new ConcurrentHashMap<>();
  private final int joinsPerSecond;
  private final int joinBurst;

  public ConnectionLimits(int maxTotal, int maxPerAddress) {
    this(maxTotal, maxPerAddress, Integer.MAX_VALUE / 2, Integer.MAX_VALUE / 2);
  }

  public ConnectionLimits(int maxTotal, int maxPerAddress, int joinsPerSecond, int joinBurst) {
    this.maxTotal = maxTotal;
    this.maxPerAddress = maxPerAddress;
    this.joinsPerSecond = joinsPerSecond;
    this.joinBurst = joinBurst;
  }

  /** Whether the address may attempt another room join now (every attempt counts, refused ones too). */
  public boolean tryJoin(String address) {
    TokenBucket bucket = joinsPerAddress.computeIfAbsent(address,
        a -> new TokenBucket(joinsPerSecond, joinBurst, System::nanoTime));
    synchronized (bucket) {
      return bucket.tryTake();
    }
  }

  /** @return null when a slot was taken (give it back with {@link #release}), otherwise why not */
  public Refusal tryAcquire(String address) {
    if (total.incrementAndGet() > maxTotal) {
      total.decrementAndGet();
      return Refusal.NODE_FULL;
    }
    boolean[] admitted = {false};
    perAddress.compute(address, (key, count) -> {
      AtomicInteger held = count == null ? new AtomicInteger() : count;
      if (held.get() < maxPerAddress) {
        held.incrementAndGet();
        admitted[0] = true;
      }
      return held.get() == 0 ? null : held;
    });
    if (!admitted[0]) {
      total.decrementAndGet();
      return Refusal.TOO_MANY_FROM_ADDRESS;
    }
    return null;
  }

  public void release(String address) {
    perAddress.computeIfPresent(address, (key, count) -> {
      if (count.decrementAndGet() <= 0) {
        joinsPerAddress.remove(address);
        return null;
      }
      return count;
    });
    total.decrementAndGet();
  }

  public int open() {
    return total.get();
  }

  public int openFrom(String address) {
    AtomicInteger count = perAddress.get(address);
    return count == null ? 0 : count.get();
  }
}

package dev.switchboard.turn;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** One relayed transport address held for one client 5-tuple (RFC 8656 §2.2). */
final class Allocation {
  final ClientLink link;
  final String username;
  final byte[] key;
  final DatagramChannel relay;
  final InetSocketAddress advertised;
  final byte[] allocateTransaction;
  final Map<InetAddress, Long> permissions = new ConcurrentHashMap<>();
  final Map<Integer, Channel> channelsByNumber = new ConcurrentHashMap<>();
  final Map<InetSocketAddress, Channel> channelsByPeer = new ConcurrentHashMap<>();
  /** Expiry, revocation, Refresh 0 and a closing TCP client may race to end it: only the first one releases. */
  private final AtomicBoolean released = new AtomicBoolean();
  private final long bytesPerSecond;
  private double budget;
  private long budgetAt;
  volatile long expiresAt;
  /** Last Send-indication target: indications mostly repeat one peer, so no address object per packet. */
  InetSocketAddress lastIndicationPeer;

  Allocation(ClientLink link, String username, byte[] key, DatagramChannel relay, InetSocketAddress advertised,
             byte[] allocateTransaction, long expiresAt, long bytesPerSecond) {
    this.link = link;
    this.username = username;
    this.key = key;
    this.relay = relay;
    this.advertised = advertised;
    this.allocateTransaction = allocateTransaction;
    this.expiresAt = expiresAt;
    this.bytesPerSecond = bytesPerSecond;
    this.budget = bytesPerSecond;
  }

  static final class Channel {
    final int number;
    final InetSocketAddress peer;
    volatile long expiresAt;

    Channel(int number, InetSocketAddress peer, long expiresAt) {
      this.number = number;
      this.peer = peer;
      this.expiresAt = expiresAt;
    }
  }

  /** True once, for the caller that ends the allocation. */
  boolean markReleased() {
    return released.compareAndSet(false, true);
  }

  boolean permitted(InetAddress peer, long now) {
    Long until = permissions.get(peer);
    return until != null && until > now;
  }

  /** Optional bandwidth cap: a token bucket of bytes per second, both directions together. */
  synchronized boolean spend(int size, long nowNanos) {
    if (bytesPerSecond <= 0) {
      return true;
    }
    budget = Math.min(bytesPerSecond, budget + (nowNanos - budgetAt) * bytesPerSecond / 1e9);
    budgetAt = nowNanos;
    if (budget < size) {
      return false;
    }
    budget -= size;
    return true;
  }
}

package dev.switchboard.turn.allocation;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One relayed transport address held for one client 5-tuple (RFC 8656 §2.2), with its permissions and channel
 * bindings. Each of them carries its own expiry, read against the clock on every use, so nothing relays past its
 * lifetime even before a sweep removes it.
 *
 * <p>Changes to the lifetime (Refresh, ChannelBind, CreatePermission, deletion, expiry) take this object's lock
 * and look at the clock inside it: a request that succeeds did so while the allocation was alive, and an
 * allocation that has ended stays ended. The packet paths only read (volatile fields, concurrent maps).
 */
public final class Allocation {
  public enum Change { OK, ENDED, CONFLICT, FULL }

  public final FiveTuple fiveTuple;
  public final ClientLink link;
  public final String username;
  public final byte[] key;
  public final RelaySocket relay;
  public final InetAddress relayIp;
  public final int relayPort;
  public final InetSocketAddress advertised;
  public final byte[] allocateTransaction;
  private final Map<InetAddress, Long> permissions = new ConcurrentHashMap<>();
  private final Map<Integer, Channel> channelsByNumber = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, Channel> channelsByPeer = new ConcurrentHashMap<>();
  private final long bytesPerSecond;
  private final Object bucket = new Object();
  private double budget;
  private long budgetAt;
  private volatile long expiresAt;
  private volatile boolean ended;
  /** Last Send-indication target: indications mostly repeat one peer, so no address object per packet. */
  public InetSocketAddress lastIndicationPeer;

  Allocation(FiveTuple fiveTuple, ClientLink link, String username, byte[] key, RelaySocket relay,
             InetAddress relayIp, int relayPort, InetSocketAddress advertised, byte[] allocateTransaction,
             long expiresAt, long bytesPerSecond) {
    this.fiveTuple = fiveTuple;
    this.link = link;
    this.username = username;
    this.key = key;
    this.relay = relay;
    this.relayIp = relayIp;
    this.relayPort = relayPort;
    this.advertised = advertised;
    this.allocateTransaction = allocateTransaction;
    this.expiresAt = expiresAt;
    this.bytesPerSecond = bytesPerSecond;
    this.budget = bytesPerSecond;
  }

  /** A channel binding: its number, its peer and its own expiry. */
  public record Channel(int number, InetSocketAddress peer, long expiresAt) {
  }

  public boolean alive(long now) {
    return !ended && expiresAt > now;
  }

  public long expiresAt() {
    return expiresAt;
  }

  /** Extends the lifetime to {@code now + lifetimeMillis}; false, changing nothing, when it has already ended. */
  public synchronized boolean refresh(long now, long lifetimeMillis) {
    if (!alive(now)) {
      return false;
    }
    expiresAt = now + lifetimeMillis;
    return true;
  }

  /** Ends a live allocation (Refresh with lifetime 0); false when it had already ended or run out. */
  synchronized boolean delete(long now) {
    if (!alive(now)) {
      return false;
    }
    ended = true;
    return true;
  }

  /** Ends it whatever its lifetime (revocation, closing connection, shutdown); true for the one caller that did. */
  synchronized boolean end() {
    if (ended) {
      return false;
    }
    ended = true;
    return true;
  }

  /** On the sweeper: ends it when its lifetime ran out; true for the one caller that did. */
  synchronized boolean endIfExpired(long now) {
    if (ended || expiresAt > now) {
      return false;
    }
    ended = true;
    return true;
  }

  // ---- permissions (RFC 8656 §9) ----------------------------------------------------------------

  public boolean permitted(InetAddress peer, long now) {
    Long until = permissions.get(peer);
    return until != null && until > now;
  }

  /** Installs or refreshes permissions for these peers, all or none. */
  public synchronized Change permit(Collection<InetAddress> peers, long now, long lifetimeMillis, int max) {
    if (!alive(now)) {
      return Change.ENDED;
    }
    long fresh = peers.stream().distinct().filter(p -> !permitted(p, now)).count();
    long live = permissions.values().stream().filter(until -> until > now).count();
    if (live + fresh > max) {
      return Change.FULL;
    }
    peers.forEach(p -> permissions.put(p, now + lifetimeMillis));
    return Change.OK;
  }

  public int permissionCount() {
    return permissions.size();
  }

  // ---- channels (RFC 8656 §12) ------------------------------------------------------------------

  /** The live channel with this number, or null. */
  public Channel channel(int number, long now) {
    Channel channel = channelsByNumber.get(number);
    return channel != null && channel.expiresAt > now ? channel : null;
  }

  /** The live channel bound to this peer, or null. */
  public Channel channelTo(InetSocketAddress peer, long now) {
    Channel channel = channelsByPeer.get(peer);
    return channel != null && channel.expiresAt > now ? channel : null;
  }

  /**
   * Binds (or refreshes) a channel and the peer's permission together. CONFLICT when the number or the peer is
   * bound otherwise; an expired binding no longer holds its number or peer.
   */
  public synchronized Change bindChannel(int number, InetSocketAddress peer, long now, long channelMillis,
                                         long permissionMillis, int maxChannels) {
    if (!alive(now)) {
      return Change.ENDED;
    }
    Channel byNumber = channel(number, now);
    Channel byPeer = channelTo(peer, now);
    if ((byNumber != null && !byNumber.peer.equals(peer)) || (byPeer != null && byPeer.number != number)) {
      return Change.CONFLICT;
    }
    if (byNumber == null) {
      dropExpiredChannels(now);
      if (channelsByNumber.size() >= maxChannels) {
        return Change.FULL;
      }
    }
    Channel channel = new Channel(number, peer, now + channelMillis);
    channelsByNumber.put(number, channel);
    channelsByPeer.put(peer, channel);
    permissions.put(peer.getAddress(), now + permissionMillis);
    return Change.OK;
  }

  public int channelCount() {
    return channelsByNumber.size();
  }

  /** On the sweeper: forgets expired permissions and channels. */
  synchronized void prune(long now) {
    permissions.values().removeIf(until -> until <= now);
    dropExpiredChannels(now);
  }

  private void dropExpiredChannels(long now) {
    channelsByNumber.values().removeIf(channel -> {
      if (channel.expiresAt <= now) {
        channelsByPeer.remove(channel.peer, channel);
        return true;
      }
      return false;
    });
  }

  // ---- bandwidth --------------------------------------------------------------------------------

  /**
   * Optional bandwidth cap: a token bucket of bytes per second, both directions together. Its own lock, so a
   * packet never waits for a Refresh or a sweep.
   */
  public boolean spend(int size, long nowNanos) {
    if (bytesPerSecond <= 0) {
      return true;
    }
    synchronized (bucket) {
      return take(size, nowNanos);
    }
  }

  private boolean take(int size, long nowNanos) {
    budget = Math.min(bytesPerSecond, budget + (nowNanos - budgetAt) * bytesPerSecond / 1e9);
    budgetAt = nowNanos;
    if (budget < size) {
      return false;
    }
    budget -= size;
    return true;
  }
}

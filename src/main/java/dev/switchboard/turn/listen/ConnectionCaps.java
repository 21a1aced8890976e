package dev.switchboard.turn.listen;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connections counted in total and per source address, so that idle or half-open sockets from one address (or
 * from everywhere) cannot pile up. Safe from any thread: a listener's acceptors run on several event loops.
 */
final class ConnectionCaps {
  private final int maxTotal;
  private final int maxPerIp;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, Integer> perIp = new ConcurrentHashMap<>();

  ConnectionCaps(int maxTotal, int maxPerIp) {
    this.maxTotal = maxTotal;
    this.maxPerIp = maxPerIp;
  }

  /** Counts a connection in against both caps, or refuses it with nothing counted. */
  boolean admit(String ip) {
    if (open.incrementAndGet() > maxTotal) {
      open.decrementAndGet();
      return false;
    }
    boolean[] admitted = new boolean[1];
    perIp.compute(ip, (k, count) -> {
      int current = count == null ? 0 : count;
      admitted[0] = current < maxPerIp;
      return admitted[0] ? current + 1 : count;
    });
    if (!admitted[0]) {
      open.decrementAndGet();
    }
    return admitted[0];
  }

  /** An admitted connection from {@code ip} ended. */
  void release(String ip) {
    open.decrementAndGet();
    perIp.computeIfPresent(ip, (k, count) -> count <= 1 ? null : count - 1);
  }

  int open() {
    return open.get();
  }
}

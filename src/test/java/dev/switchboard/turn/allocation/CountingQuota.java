package dev.switchboard.turn.allocation;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A per-user quota that shows its counts. */
final class CountingQuota implements Quota {
  private final int limit;
  final Map<String, Integer> counts = new ConcurrentHashMap<>();

  CountingQuota(int limit) {
    this.limit = limit;
  }

  @Override
  public boolean acquire(String username) {
    boolean[] taken = new boolean[1];
    counts.compute(username, (u, count) -> {
      int current = count == null ? 0 : count;
      taken[0] = current < limit;
      return taken[0] ? current + 1 : count;
    });
    return taken[0];
  }

  @Override
  public void release(String username) {
    counts.computeIfPresent(username, (u, count) -> count <= 1 ? null : count - 1);
  }

  int count(String username) {
    return counts.getOrDefault(username, 0);
  }
}

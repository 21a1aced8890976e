package dev.switchboard.soak;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Named counters shared by every part of the soak run (thread-safe). */
final class Tally {
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();

  void inc(String name) {
    add(name, 1);
  }

  void add(String name, long n) {
    counters.computeIfAbsent(name, k -> new LongAdder()).add(n);
  }

  long get(String name) {
    LongAdder adder = counters.get(name);
    return adder == null ? 0 : adder.sum();
  }

  /** Every counter whose name starts with {@code prefix}, the prefix cut off, sorted by name. */
  Map<String, Long> withPrefix(String prefix) {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((name, adder) -> {
      if (name.startsWith(prefix)) {
        out.put(name.substring(prefix.length()), adder.sum());
      }
    });
    return out;
  }

  /** {@code a 3, b 5} for the counters under {@code prefix}, or "none". */
  String list(String prefix) {
    StringBuilder out = new StringBuilder();
    withPrefix(prefix).forEach((name, n) -> out.append(out.length() == 0 ? "" : ", ").append(name).append(' ').append(n));
    return out.length() == 0 ? "none" : out.toString();
  }
}

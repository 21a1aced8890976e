package dev.switchboard.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters every scenario shares, updated from any event loop. Errors are counted by reason so the
 * summary can say what went wrong, not only how often.
 */
final class LoadStats {
  final LongAdder connected = new LongAdder();
  final LongAdder joined = new LongAdder();
  final LongAdder closed = new LongAdder();
  final LongAdder framesSent = new LongAdder();
  final LongAdder framesReceived = new LongAdder();
  final LongAdder heartbeats = new LongAdder();
  /** peer:left events heard (a room-mate left or was reaped), and the wall-clock time of the last one. */
  final LongAdder peerLeft = new LongAdder();
  /** Of those, the ones of a room-mate reaped with its dead node (reason node_lost), and when the last came. */
  final LongAdder peerLeftNodeLost = new LongAdder();
  final java.util.concurrent.atomic.LongAccumulator lastNodeLostMillis =
      new java.util.concurrent.atomic.LongAccumulator(Math::max, Long.MIN_VALUE);
  final java.util.concurrent.atomic.LongAccumulator lastPeerLeftMillis =
      new java.util.concurrent.atomic.LongAccumulator(Math::max, Long.MIN_VALUE);
  /** Signals delivered to load peers (relay). */
  final LongAdder delivered = new LongAdder();
  final LatencyHistogram heartbeatRtt = new LatencyHistogram();
  /** Heartbeat round trips since the last --report-at milestone measurement drained it. */
  final LatencyHistogram heartbeatWindow = new LatencyHistogram();
  /** Whether heartbeat round trips are the progress line's latency (idle) or the scenario's own are. */
  volatile boolean heartbeatHeadline = true;
  /** The scenario's headline latency, drained by the progress line every second. */
  final LatencyHistogram progressLatency = new LatencyHistogram();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  /** Sockets currently open (connected and not yet closed). */
  final LongAdder open = new LongAdder();

  void error(String reason) {
    errors.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  void error(String reason, long count) {
    if (count > 0) {
      errors.computeIfAbsent(reason, r -> new LongAdder()).add(count);
    }
  }

  long errorCount() {
    long sum = 0;
    for (LongAdder a : errors.values()) {
      sum += a.sum();
    }
    return sum;
  }

  /** Errors by reason, sorted by name, for the summary. */
  Map<String, Long> errorsByReason() {
    Map<String, Long> sorted = new TreeMap<>();
    errors.forEach((reason, count) -> sorted.put(reason, count.sum()));
    return sorted;
  }
}

package dev.switchboard.load;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code churn}: --rate cycles per second for --duration, each cycle a new socket that connects, joins a
 * room (rooms of --room-size, filled in turn) and its peer topic, leaves the room and disconnects. The
 * cycle time (connect to leave answered) is the latency reported.
 */
final class ChurnScenario {
  private static final long SETTLE_MILLIS = 35_000;

  private ChurnScenario() {
  }

  static Map<String, Object> run(LoadRun run) {
    LoadOptions o = run.options;
    run.stats.heartbeatHeadline = false;
    long offset = o.idOffset();
    LatencyHistogram cycle = new LatencyHistogram();
    LongAdder completed = new LongAdder();
    LongAdder failed = new LongAdder();
    AtomicInteger pending = new AtomicInteger();
    // at most five seconds' worth of cycles in flight: a stalled server is not buried under new sockets
    int maxPending = (int) Math.max(16, o.rate() * 5);
    long started;
    long cycles = 0;
    double seconds;
    try (Progress progress = new Progress(run, 0, () -> String.format(Locale.ROOT, "cycles %d failed %d",
        completed.sum(), failed.sum()))) {
      started = System.nanoTime();
      long end = started + o.durationSeconds() * 1_000_000_000L;
      while (System.nanoTime() < end && !run.stopped()) {
        long due = (long) ((System.nanoTime() - started) / 1e9 * o.rate()) + 1;
        while (cycles < due && pending.get() < maxPending) {
          LoadPeer peer = run.newPeer(cycles, run.room("churn", (offset + cycles) / o.roomSize()));
          cycles++;
          pending.incrementAndGet();
          long t0 = System.nanoTime();
          run.enter(peer).compose(p -> p.leave()).onComplete(left -> {
            if (left.succeeded()) {
              long elapsed = System.nanoTime() - t0;
              cycle.recordNanos(elapsed);
              run.stats.progressLatency.recordNanos(elapsed);
              completed.increment();
            } else {
              failed.increment();
            }
            peer.close().onComplete(closed -> pending.decrementAndGet());
          });
        }
        run.sleep(5);
      }
      seconds = (System.nanoTime() - started) / 1e9;
      long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
      while (pending.get() > 0 && System.currentTimeMillis() < deadline) {
        sleepQuietly(10);
      }
    }
    Map<String, Object> report = run.commonReport();
    report.put("rate", o.rate());
    report.put("room_size", o.roomSize());
    report.put("cycles_started", cycles);
    report.put("cycles_completed", completed.sum());
    report.put("cycles_failed", failed.sum());
    report.put("cycles_per_s", LoadRun.round(completed.sum() / Math.max(1e-3, seconds), 1));
    report.put("cycle_ms", LoadRun.latency(cycle.snapshot()));
    run.putServer(report, run.stats.open.sum());
    return report;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.switchboard.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code relay}: --pairs pairs, each alone in its room, signalling both ways at --rate signals per pair
 * per second (0: flat out, keeping --window signals unanswered per pair) for --duration, then checking
 * that nothing acknowledged was lost, duplicated or reordered ({@link RelayPair}).
 */
final class RelayScenario {
  /** How long in-flight signals may take to be answered once sending stops. */
  private static final long DRAIN_MILLIS = 10_000;

  private RelayScenario() {
  }

  static Map<String, Object> run(LoadRun run) {
    LoadOptions o = run.options;
    run.stats.heartbeatHeadline = false;
    long offset = o.idOffset();
    int sockets = 2 * o.pairs();
    // both peers of a pair on one lane: its checks then need no lock
    Ramp ramp = new Ramp(run, i -> run.newPeer(i, run.room("relay", (offset + i) / 2),
        run.lanes.get((int) (i / 2 % run.lanes.size()))), true);
    LatencyHistogram ack = new LatencyHistogram();
    List<RelayPair> pairs = new ArrayList<>();
    long[] lastDelivered = {0};
    long[] lastNanos = {System.nanoTime()};
    double signallingSeconds = 0;
    List<LoadPeer> peers;
    try (Progress progress = new Progress(run, sockets, () -> deliveredPerSecond(run, lastDelivered, lastNanos))) {
      ramp.openUpTo(sockets);
      peers = ramp.joined();
      LoadPeer[] byIndex = new LoadPeer[sockets];
      for (LoadPeer peer : peers) {
        byIndex[(int) (peer.index - offset)] = peer;
      }
      for (int p = 0; p < o.pairs(); p++) {
        if (byIndex[2 * p] != null && byIndex[2 * p + 1] != null) {
          pairs.add(new RelayPair(run, byIndex[2 * p], byIndex[2 * p + 1], o.rate(), o.window(), ack));
        }
      }
      long started = System.nanoTime();
      if (!run.stopped()) {
        pairs.forEach(RelayPair::start);
        run.hold();
      }
      pairs.forEach(RelayPair::stop);
      signallingSeconds = (System.nanoTime() - started) / 1e9;
      drain(run, pairs);
    }
    RelayPair.Figures total = RelayPair.Figures.NONE;
    for (RelayPair pair : pairs) {
      total = total.plus(figuresOf(run, pair));
    }
    run.stats.error("signal_lost", total.lost());
    Map<String, Object> report = run.commonReport();
    report.put("pairs", (long) o.pairs());
    report.put("pairs_signalling", (long) pairs.size());
    report.put("rate_per_pair", o.rate()); // 0: flat out
    report.put("window", o.window());
    report.put("signalling_s", LoadRun.round(signallingSeconds, 1));
    report.put("signals_sent", total.sent());
    report.put("signals_ok", total.ok());
    report.put("signals_refused", total.refused());
    report.put("delivered", total.delivered());
    report.put("delivered_per_s", LoadRun.round(total.delivered() / Math.max(1e-3, signallingSeconds), 0));
    report.put("lost", total.lost());
    report.put("duplicates", total.duplicates());
    report.put("out_of_order", total.outOfOrder());
    report.put("misdelivered", total.misdelivered());
    report.put("ack_ms", LoadRun.latency(ack.snapshot()));
    // errors were counted before the lost ones were known
    report.put("errors", run.stats.errorCount());
    report.put("error_reasons", run.stats.errorsByReason());
    run.putServer(report, run.stats.open.sum());
    run.closeAll(peers);
    return report;
  }

  private static RelayPair.Figures figuresOf(LoadRun run, RelayPair pair) {
    return run.onLane(pair.lanePeer(), pair::figures);
  }

  /** Waits until every signal sent was answered (or the drain time is up), then for deliveries in transit. */
  private static void drain(LoadRun run, List<RelayPair> pairs) {
    long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
    while (System.currentTimeMillis() < deadline) {
      int inFlight = 0;
      for (RelayPair pair : pairs) {
        inFlight += run.onLane(pair.lanePeer(), pair::inFlight);
      }
      if (inFlight == 0) {
        break;
      }
      sleepQuietly(50);
    }
    // an ok reply means the delivery was written to the target's socket: it may still be on its way here
    sleepQuietly(500);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String deliveredPerSecond(LoadRun run, long[] last, long[] lastNanos) {
    long now = System.nanoTime();
    long delivered = run.stats.delivered.sum();
    double perSecond = (delivered - last[0]) / Math.max(1e-3, (now - lastNanos[0]) / 1e9);
    last[0] = delivered;
    lastNanos[0] = now;
    return String.format(Locale.ROOT, "delivered/s %.0f", perSecond);
  }
}

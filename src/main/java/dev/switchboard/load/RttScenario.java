package dev.switchboard.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code rtt}: --background idle joined sockets (rooms of --room-size, heartbeating), then --pairs pairs,
 * each in a room of its own, measuring round trips A→B→A of a targeted signal for --duration (at most
 * --rate a second per pair, default 50, within the server's default per-socket rate limit; 0: back to
 * back), and the ok reply of A's signal (ok means written to B's socket).
 */
final class RttScenario {
  private RttScenario() {
  }

  static Map<String, Object> run(LoadRun run) {
    LoadOptions o = run.options;
    run.stats.heartbeatHeadline = false;
    long offset = o.idOffset();
    int background = o.background();
    int sockets = background + 2 * o.pairs();
    Ramp ramp = new Ramp(run, i -> i < background
        ? run.newPeer(i, run.room("bg", (offset + i) / o.roomSize()))
        : run.newPeer(i, run.room("rtt", (offset + i - background) / 2)), true);
    LatencyHistogram rtt = new LatencyHistogram();
    LatencyHistogram ack = new LatencyHistogram();
    List<EchoRoundTrips> loops = new ArrayList<>();
    // --rate round trips per second per pair (a pause after each); 0: back to back
    long pause = o.rate() == 0 ? 0 : Math.max(1, Math.round(1000 / o.rate()));
    long roundTrips = 0;
    double seconds = 0;
    List<LoadPeer> peers;
    try (Progress progress = new Progress(run, sockets, () -> "")) {
      ramp.openUpTo(sockets);
      peers = ramp.joined();
      LoadPeer[] pairPeers = new LoadPeer[2 * o.pairs()];
      for (LoadPeer peer : peers) {
        long i = peer.index - offset;
        if (i >= background) {
          pairPeers[(int) (i - background)] = peer;
        }
      }
      for (int p = 0; p < o.pairs(); p++) {
        if (pairPeers[2 * p] != null && pairPeers[2 * p + 1] != null) {
          loops.add(new EchoRoundTrips(run, pairPeers[2 * p], pairPeers[2 * p + 1], rtt, ack, pause));
        }
      }
      long started = System.nanoTime();
      if (!run.stopped()) {
        loops.forEach(EchoRoundTrips::start);
        run.hold();
      }
      for (EchoRoundTrips loop : loops) {
        roundTrips += loop.stop();
      }
      seconds = (System.nanoTime() - started) / 1e9;
    }
    Map<String, Object> report = run.commonReport();
    report.put("background", (long) background);
    report.put("pairs", (long) o.pairs());
    report.put("rate_per_pair", o.rate()); // 0: back to back
    report.put("round_trips", roundTrips);
    report.put("round_trips_per_s", LoadRun.round(roundTrips / Math.max(1e-3, seconds), 0));
    report.put("rtt_ms", LoadRun.latency(rtt.snapshot()));
    report.put("ack_ms", LoadRun.latency(ack.snapshot()));
    run.putServer(report, run.stats.open.sum());
    run.closeAll(peers);
    return report;
  }
}

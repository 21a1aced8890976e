package dev.switchboard.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code idle}: --sockets sockets, each joining a room of --room-size peers and its own peer topic,
 * heartbeating, held for --duration (0: until SIGINT/SIGTERM). With --report-at the ramp pauses at each
 * milestone for a measurement row ({@link Milestones}).
 */
final class IdleScenario {
  private IdleScenario() {
  }

  static Map<String, Object> run(LoadRun run) {
    LoadOptions o = run.options;
    long offset = o.idOffset();
    Ramp ramp = new Ramp(run, i -> run.newPeer(i, run.room("idle", (offset + i) / o.roomSize())), true);
    Milestones milestones = new Milestones(run, ramp);
    List<LoadPeer> peers;
    try (Progress progress = new Progress(run, o.sockets(), () -> "")) {
      for (int milestone : o.reportAt()) {
        milestones.rampTo(milestone);
        if (run.stopped()) {
          break;
        }
        milestones.measure(milestone);
      }
      if (!run.stopped()) {
        ramp.openUpTo(o.sockets());
      }
      run.hold();
      peers = ramp.joined();
    }
    Map<String, Object> report = run.commonReport();
    report.put("sockets", (long) o.sockets());
    report.put("room_size", o.roomSize());
    report.put("milestones", milestones.rows());
    run.putServer(report, run.stats.open.sum());
    run.closeAll(peers);
    return report;
  }

  /** The --report-at measurements: what the capacity run reads at 5k, 10k and 19k sockets. */
  static final class Milestones {
    /**
     * 20 ms between round trips: under 50 signals a second per socket, within the server's default
     * channel.rate-limit (100 messages a second), so the measurement needs no server setting raised.
     */
    private static final long MILESTONE_PAUSE_MILLIS = 20;
    private final LoadRun run;
    private final Ramp ramp;
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private long segmentStart = System.nanoTime();
    private long segmentJoined;
    private double segmentSeconds;
    private long segmentOpened;
    /** The server's live heap before the first socket (--server-heap), or -1. */
    private final long heapAtStartKb;

    Milestones(LoadRun run, Ramp ramp) {
      this.run = run;
      this.ramp = ramp;
      this.heapAtStartKb = run.options.serverHeap() ? run.probe.liveHeapKb() : -1;
    }

    void rampTo(long sockets) {
      segmentStart = System.nanoTime();
      segmentJoined = run.stats.joined.sum();
      ramp.openUpTo(sockets);
      segmentSeconds = (System.nanoTime() - segmentStart) / 1e9;
      segmentOpened = run.stats.joined.sum() - segmentJoined;
    }

    /**
     * Heartbeat round trips over --report-seconds, while two already-joined peers of one room exchange
     * paced signal round trips (20 ms apart), with the server's RSS per socket when its pid is known.
     */
    void measure(long sockets) {
      run.stats.heartbeatWindow.reset();
      LatencyHistogram rtt = new LatencyHistogram();
      EchoRoundTrips echo = echoPair(rtt);
      if (echo != null) {
        echo.start();
      }
      run.sleep(run.options.reportSeconds() * 1000L);
      if (echo != null) {
        echo.stop();
      }
      LatencyHistogram.Snapshot heartbeats = run.stats.heartbeatWindow.snapshot();
      LatencyHistogram.Snapshot signals = rtt.snapshot();
      Map<String, Object> row = new java.util.LinkedHashMap<>();
      long open = run.stats.open.sum();
      row.put("sockets", sockets);
      row.put("open", open);
      row.put("errors", run.stats.errorCount());
      row.put("connect_join_per_s", LoadRun.round(segmentOpened / Math.max(1e-3, segmentSeconds), 0));
      row.put("heartbeat_p50_ms", LoadRun.round(heartbeats.millis(0.50), 3));
      row.put("heartbeat_p99_ms", LoadRun.round(heartbeats.millis(0.99), 3));
      row.put("heartbeat_samples", heartbeats.count());
      row.put("signal_rtt_p50_ms", LoadRun.round(signals.millis(0.50), 3));
      row.put("signal_rtt_p99_ms", LoadRun.round(signals.millis(0.99), 3));
      row.put("signal_samples", signals.count());
      if (run.probe.present()) {
        long rss = run.probe.rssKb();
        row.put("server_cpu_s", LoadRun.round(run.probe.cpuSecondsSinceStart(), 2));
        row.put("server_rss_mb", LoadRun.round(rss / 1024.0, 1));
        row.put("server_rss_kb_per_socket", open > 0 ? LoadRun.round((rss - run.probe.startRssKb()) / (double) open, 2) : null);
      }
      if (run.options.serverHeap()) {
        // after the round trips: the full GC it forces would otherwise land in the measured window
        long heap = run.probe.liveHeapKb();
        row.put("server_live_heap_mb", heap < 0 ? null : LoadRun.round(heap / 1024.0, 1));
        row.put("server_live_heap_kb_per_socket", heap < 0 || heapAtStartKb < 0 || open == 0 ? null
            : LoadRun.round((heap - heapAtStartKb) / (double) open, 2));
        row.put("server_rss_after_gc_mb", LoadRun.round(run.probe.rssKb() / 1024.0, 1));
      }
      rows.add(row);
      if (!run.options.json()) {
        print(row);
      }
    }

    /** Two joined peers of one room, for the signal round trips. */
    private EchoRoundTrips echoPair(LatencyHistogram rtt) {
      List<LoadPeer> joined = ramp.joined();
      Map<String, LoadPeer> firstOfRoom = new java.util.HashMap<>();
      for (LoadPeer peer : joined) {
        LoadPeer other = firstOfRoom.putIfAbsent(peer.room, peer);
        if (other != null) {
          return new EchoRoundTrips(run, other, peer, rtt, null, MILESTONE_PAUSE_MILLIS);
        }
      }
      return null;
    }

    private void print(Map<String, Object> row) {
      if (rows.size() == 1) {
        run.out.println("milestone: sockets open errors connect+join/s heartbeat p50/p99 ms (n) signal rtt p50/p99 ms (n)"
            + (run.probe.present() ? " server cpu s, rss MB, KB/socket" : ""));
      }
      StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT, "milestone: %d %d %d %s %s/%s (%d) %s/%s (%d)",
          row.get("sockets"), row.get("open"), row.get("errors"), row.get("connect_join_per_s"), row.get("heartbeat_p50_ms"),
          row.get("heartbeat_p99_ms"), row.get("heartbeat_samples"), row.get("signal_rtt_p50_ms"), row.get("signal_rtt_p99_ms"),
          row.get("signal_samples")));
      if (run.probe.present()) {
        line.append(" ").append(row.get("server_cpu_s")).append(" ").append(row.get("server_rss_mb")).append(" ")
            .append(row.get("server_rss_kb_per_socket"));
      }
      if (run.options.serverHeap()) {
        line.append(" heap ").append(row.get("server_live_heap_mb")).append(" MB ")
            .append(row.get("server_live_heap_kb_per_socket")).append(" KB/socket, rss after gc ")
            .append(row.get("server_rss_after_gc_mb")).append(" MB");
      }
      run.out.println(line);
      run.out.flush();
    }

    List<Map<String, Object>> rows() {
      return List.copyOf(rows);
    }
  }
}

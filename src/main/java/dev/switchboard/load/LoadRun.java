package dev.switchboard.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What every scenario works with: the options, the one Vert.x instance and its lanes, the target, the
 * tokens, the counters, the server probe and the stop signal (end of --duration, SIGINT or SIGTERM).
 * Scenarios run on the calling (main) thread and drive peers through their lanes.
 */
final class LoadRun {
  final LoadOptions options;
  final Vertx vertx;
  final List<Lane> lanes;
  final Target target;
  final PeerTokens tokens;
  final ServerProbe probe;
  final LoadStats stats = new LoadStats();
  final PrintStream out;
  final PrintStream err;
  private final CountDownLatch stop;
  private Target spanTarget;
  /** Peers made so far per room, while --span-url is given (a room's members alternate between the servers). */
  private final Map<String, Integer> roomPositions = new java.util.concurrent.ConcurrentHashMap<>();
  private final long startNanos = System.nanoTime();

  LoadRun(LoadOptions options, Vertx vertx, List<Lane> lanes, Target target, PeerTokens tokens, ServerProbe probe,
          CountDownLatch stop, PrintStream out, PrintStream err) {
    this.options = options;
    this.vertx = vertx;
    this.lanes = lanes;
    this.target = target;
    this.tokens = tokens;
    this.probe = probe;
    this.stop = stop;
    this.out = out;
    this.err = err;
  }

  /** Room {@code group} of a kind, unique to this client process's --room-prefix and --id-offset. */
  String room(String kind, long group) {
    return options.roomPrefix() + "-" + kind + "-" + group;
  }

  /** The peer with this process-wide index (--id-offset added), on its lane. */
  LoadPeer newPeer(long index, String room) {
    return newPeer(index, room, lanes.get((int) (index % lanes.size())));
  }

  /** The peer on a given lane (the two peers of a relay pair share one, so their checks need no lock). */
  LoadPeer newPeer(long index, String room, Lane lane) {
    LoadPeer peer = new LoadPeer(options.idOffset() + index, lane, room, stats);
    if (spanTarget != null) {
      // rooms spanning two servers: in every --span-every-th room (by its number), the members joining it second,
      // fourth... go to --span-url (2 of a room of 5, B of a pair)
      int position = roomPositions.merge(room, 1, Integer::sum) - 1;
      peer.spanned = position % 2 == 1 && roomNumber(room) % options.spanEvery() == 0;
    }
    return peer;
  }

  /** Closes every peer (a normal close, 1000) and waits up to 10 s for the closes. */
  void closeAll(List<LoadPeer> peers) {
    List<Future<Void>> closing = new java.util.ArrayList<>();
    for (LoadPeer peer : peers) {
      Promise<Void> closed = Promise.promise();
      peer.lane.context.runOnContext(v -> peer.close().onComplete(r -> closed.tryComplete()));
      closing.add(closed.future());
    }
    try {
      Future.join(closing).await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // whatever did not close in time is dropped with the process
    }
  }

  /** With --span-url: the second server, where odd members of the spanning rooms go. */
  void spanTo(Target second) {
    this.spanTarget = second;
  }

  private static long roomNumber(String room) {
    try {
      return Long.parseLong(room.substring(room.lastIndexOf('-') + 1));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Connects and joins from the peer's lane (the token is minted here, off the event loops). */
  Future<LoadPeer> enter(LoadPeer peer) {
    String token = tokens.tokenFor(peer.index, peer.room);
    Promise<LoadPeer> entered = Promise.promise();
    Target to = peer.spanned ? spanTarget : target;
    peer.lane.context.runOnContext(v -> peer.enter(to.client(peer.index), to.connectOptions(token))
        .onComplete(entered));
    return entered.future();
  }

  /** Runs {@code task} on the peer's lane and waits for its result (for reading lane-owned state). */
  <T> T onLane(LoadPeer peer, java.util.function.Supplier<T> task) {
    Promise<T> result = Promise.promise();
    peer.lane.context.runOnContext(v -> result.complete(task.get()));
    try {
      return result.future().await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("an event loop of the load client did not answer within 10 s", e);
    }
  }

  boolean stopped() {
    return stop.getCount() == 0;
  }

  /** Sleeps, returning early (true) when the run is stopped. */
  boolean sleep(long millis) {
    try {
      return stop.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Holds for the run's --duration (counted from now), or until stopped when it is 0. */
  void hold() {
    if (options.durationSeconds() == 0) {
      while (!sleep(1000)) {
        // until SIGINT/SIGTERM
      }
    } else {
      sleep(options.durationSeconds() * 1000L);
    }
  }

  double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The fields every scenario's summary starts with (the names are documented in LoadHelp). */
  Map<String, Object> commonReport() {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("scenario", options.scenario().wireName());
    report.put("url", target.describe());
    report.put("elapsed_s", round(elapsedSeconds(), 1));
    report.put("connected", stats.connected.sum());
    report.put("joined", stats.joined.sum());
    report.put("open_at_end", stats.open.sum());
    report.put("errors", stats.errorCount());
    report.put("error_reasons", stats.errorsByReason());
    report.put("frames_sent", stats.framesSent.sum());
    report.put("frames_received", stats.framesReceived.sum());
    report.put("heartbeats", stats.heartbeats.sum());
    report.put("heartbeat_rtt_ms", latency(stats.heartbeatRtt.snapshot()));
    report.put("peer_left", stats.peerLeft.sum());
    long lastLeft = stats.lastPeerLeftMillis.get();
    report.put("last_peer_left_epoch_ms", lastLeft == Long.MIN_VALUE ? null : lastLeft);
    long lastLost = stats.lastNodeLostMillis.get();
    report.put("peer_left_node_lost", stats.peerLeftNodeLost.sum());
    report.put("last_node_lost_epoch_ms", lastLost == Long.MIN_VALUE ? null : lastLost);
    // what this client costs, for sizing a fleet of client processes
    Runtime jvm = Runtime.getRuntime();
    report.put("client_rss_mb", round(new ServerProbe(ProcessHandle.current().pid()).rssKb() / 1024.0, 1));
    report.put("client_heap_used_mb", round((jvm.totalMemory() - jvm.freeMemory()) / 1048576.0, 1));
    return report;
  }

  /** The server figures, when --server-pid was given: CPU used during the run and RSS now. */
  void putServer(Map<String, Object> report, long sockets) {
    if (!probe.present()) {
      return;
    }
    Map<String, Object> server = new LinkedHashMap<>();
    long rss = probe.rssKb();
    server.put("pid", probe.pid());
    server.put("cpu_s", round(probe.cpuSecondsSinceStart(), 2));
    server.put("rss_start_mb", round(probe.startRssKb() / 1024.0, 1));
    server.put("rss_mb", round(rss / 1024.0, 1));
    server.put("rss_kb_per_socket", sockets > 0 && rss > 0 ? round((rss - probe.startRssKb()) / (double) sockets, 2) : null);
    report.put("server", server);
  }

  static Map<String, Object> latency(LatencyHistogram.Snapshot snapshot) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", snapshot.count());
    m.put("p50", round(snapshot.millis(0.50), 3));
    m.put("p99", round(snapshot.millis(0.99), 3));
    m.put("max", round(snapshot.maxMillis(), 3));
    return m;
  }

  /** Rounded, and null for NaN (no samples) so that JSON stays valid. */
  static Double round(double value, int decimals) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return null;
    }
    double scale = Math.pow(10, decimals);
    return Math.round(value * scale) / scale;
  }
}

package dev.switchboard.soak;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** What every part of the driver shares: Vert.x, the WebSocket client, counters, the ledger, the clock. */
final class Env {
  final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  final WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
      .setMaxConnections(100_000).setConnectTimeout(5_000));
  final Tally tally = new Tally();
  final Ledger ledger;
  private final long start = System.nanoTime();
  private final Set<Conn> live = ConcurrentHashMap.newKeySet();
  private final Map<Integer, AtomicInteger> openByPort = new ConcurrentHashMap<>();
  /** Members the driver knows to be joined (join reply received, socket not closed), per room. */
  final Map<String, Set<String>> joined = new ConcurrentHashMap<>();
  /** Restarts under way, and until when (nanoTime) the last one settles; failures then are expected. */
  private final AtomicInteger disturbances = new AtomicInteger();
  private volatile long disturbedUntil = System.nanoTime();

  Env(long graceNanos) {
    ledger = new Ledger(tally, graceNanos, this);
    vertx.setPeriodic(1000, t -> {
      long now = System.nanoTime();
      live.forEach(conn -> conn.expire(now));
      ledger.sweep(now, false);
    });
  }

  double seconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  void beginDisturbance() {
    disturbances.incrementAndGet();
  }

  void endDisturbance(long settleNanos) {
    disturbedUntil = System.nanoTime() + settleNanos;
    disturbances.decrementAndGet();
  }

  /** A restart is under way or ended less than the settle time ago. */
  boolean isDisturbed() {
    return disturbances.get() > 0 || System.nanoTime() - disturbedUntil < 0;
  }

  void opened(Conn conn) {
    live.add(conn);
    openByPort.computeIfAbsent(conn.port, p -> new AtomicInteger()).incrementAndGet();
    tally.inc("sockets.opened");
  }

  void closed(Conn conn) {
    if (live.remove(conn)) {
      openByPort.get(conn.port).decrementAndGet();
    }
  }

  int openOn(int port) {
    AtomicInteger n = openByPort.get(port);
    return n == null ? 0 : n.get();
  }

  /** When (run seconds) the driver got each long-lived peer's join reply, and saw its socket close. */
  final Map<String, Double> joinedAt = new ConcurrentHashMap<>();
  final Map<String, Double> goneAt = new ConcurrentHashMap<>();

  void memberJoined(String room, String peerId) {
    joinedAt.put(peerId, seconds());
    joined.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(peerId);
  }

  void memberGone(String room, String peerId) {
    goneAt.put(peerId, seconds());
    Set<String> members = joined.get(room);
    if (members != null) {
      members.remove(peerId);
    }
  }

  /** A line on stdout with the run's clock in front. */
  void log(String format, Object... args) {
    System.out.printf("[%6.1fs] %s%n", seconds(), String.format(format, args));
  }

  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}

package dev.switchboard.soak;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What is checked once the load is quiet at the end, and the summary of the counters: every long-lived
 * peer's view of its room against who is really joined, the nodes' gauges against the driver's sockets,
 * and the registry (Redis when clustered, else the node's room gauge) against the driver's rooms.
 */
final class EndChecks {
  private static final int SHOWN = 10;

  private final Env env;
  private final NodeSampler sampler;

  EndChecks(Env env, NodeSampler sampler) {
    this.env = env;
    this.sampler = sampler;
  }

  /**
   * Peers joined/left as announced to each client vs who is joined now. A discrepancy whose peer joined or
   * left while the viewer's own join was under way (join sent, up to 0.5 s after its reply) is told apart:
   * the node drops room broadcasts for a topic whose join it has not answered yet.
   */
  void roomViews(List<Client> clients, List<String> failures) {
    int notJoined = 0;
    int wrong = 0;
    int duringOwnJoin = 0;
    int shown = 0;
    for (Client client : clients) {
      Conn conn = client.ready();
      if (conn == null) {
        notJoined++;
        continue;
      }
      Set<String> truth = new HashSet<>(env.joined.getOrDefault(client.room, Set.of()));
      truth.remove(conn.peerId);
      Set<String> view = new HashSet<>(client.view());
      Set<String> stale = new HashSet<>(view);
      stale.removeAll(truth);
      Set<String> missing = new HashSet<>(truth);
      missing.removeAll(view);
      double sent = client.joinSentAt;
      double replied = env.joinedAt.getOrDefault(conn.peerId, Double.NaN);
      for (String peer : stale) {
        wrong++;
        double at = env.goneAt.getOrDefault(peer, Double.NaN);
        duringOwnJoin += at >= sent && at <= replied + 0.5 ? 1 : 0; // its close reaches the node a little later
        if (shown++ < SHOWN) {
          env.log("room view of %s in %s (joined %.2f-%.2fs) still lists %s, closed at %.2fs: no peer:left",
              SignalStream.abbreviate(conn.peerId), client.room, sent, replied, SignalStream.abbreviate(peer), at);
        }
      }
      for (String peer : missing) {
        wrong++;
        double at = env.joinedAt.getOrDefault(peer, Double.NaN);
        duringOwnJoin += at >= sent && at <= replied + 0.5 ? 1 : 0; // its own reply comes after its registry join
        if (shown++ < SHOWN) {
          env.log("room view of %s in %s (joined %.2f-%.2fs) lacks %s, joined at %.2fs: no peer:joined",
              SignalStream.abbreviate(conn.peerId), client.room, sent, replied, SignalStream.abbreviate(peer), at);
        }
      }
    }
    System.out.printf("room views at the end: %d peers checked, %d not joined; %d peers wrongly listed or missing, %d of them"
        + " joined/left while the viewer's own join was under way%n", clients.size(), notJoined, wrong, duringOwnJoin);
    if (notJoined > 0) {
      failures.add(notJoined + " long-lived peers not joined at the end");
    }
    if (wrong > 0) {
      failures.add(wrong + " room members wrongly listed or missing at the end (lost peer:left/peer:joined; " + duringOwnJoin
          + " during the viewer's own join)");
    }
  }

  /** The nodes' socket and peer gauges, and the registry's rooms, against the driver's. */
  void gauges(List<Client> clients, List<String> failures) {
    long rooms = env.joined.values().stream().filter(m -> !m.isEmpty()).count();
    for (NodeSampler.Node node : sampler.nodes()) {
      String metrics = sampler.metrics(node);
      long sockets = NodeSampler.gauge(metrics, "switchboard_sockets_connected");
      long joined = NodeSampler.gauge(metrics, "switchboard_peers_joined");
      long roomGauge = NodeSampler.gauge(metrics, "switchboard_rooms_active");
      int driverSockets = env.openOn(node.port());
      long driverJoined = clients.stream().filter(c -> c.port == node.port() && c.ready() != null).count();
      System.out.printf("%s at the end: %d sockets (driver has %d open), %d peers joined (driver %d), rooms_active %d%n",
          node.name(), sockets, driverSockets, joined, driverJoined, roomGauge);
      if (sockets != driverSockets || joined != driverJoined) {
        failures.add(node.name() + " counts " + sockets + " sockets/" + joined + " joined peers, the driver " + driverSockets
            + "/" + driverJoined);
      }
      if (sampler.nodes().size() == 1 && roomGauge != rooms) {
        failures.add(node.name() + " has " + roomGauge + " rooms, the driver's peers are in " + rooms);
      }
    }
    System.out.printf("driver's rooms with members: %d%n", rooms);
  }

  /** Clustered: every room's members in Redis against who is joined, and no other room left in Redis. */
  void redis(int port, List<String> failures) throws IOException, InterruptedException {
    int wrong = 0;
    Set<String> expected = new HashSet<>();
    for (Map.Entry<String, Set<String>> room : env.joined.entrySet()) {
      Set<String> truth = new HashSet<>(room.getValue());
      if (!truth.isEmpty()) {
        expected.add(room.getKey());
      }
      Set<String> stored = new HashSet<>(lines(redisCli(port, "ZRANGE", "sb:room:" + room.getKey() + ":members", "0", "-1")));
      if (!stored.equals(truth) && wrong++ < SHOWN) {
        Set<String> extra = new HashSet<>(stored);
        extra.removeAll(truth);
        truth.removeAll(stored);
        env.log("redis: room %s has %s that left, lacks %s", room.getKey(), abbreviate(extra), abbreviate(truth));
      }
    }
    Set<String> stored = new HashSet<>(lines(redisCli(port, "SMEMBERS", "sb:rooms")));
    Set<String> leftover = new HashSet<>(stored);
    leftover.removeAll(expected);
    System.out.printf("redis at the end: %d rooms (driver's peers are in %d), %d with wrong members, %d rooms nobody is in%s%n",
        stored.size(), expected.size(), wrong, leftover.size(), leftover.isEmpty() ? "" : " e.g. " + leftover.iterator().next());
    if (wrong > 0 || !leftover.isEmpty()) {
      failures.add("redis registry: " + wrong + " rooms with wrong members, " + leftover.size() + " rooms nobody is in");
    }
  }

  private static List<String> lines(String out) {
    return out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
  }

  private static String redisCli(int port, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }

  private static String abbreviate(Set<String> peers) {
    return peers.stream().map(SignalStream::abbreviate).toList().toString();
  }

  /** The counters, and the correctness failures among them. */
  void summary(List<String> failures) {
    Tally t = env.tally;
    System.out.println("== summary");
    System.out.printf("signals: sent %d, ok %d, errors %d (%s; outside restarts %d), unanswered %d (%s), received %d%n",
        t.get("signal.sent"), t.get("signal.ok"), sum("signal.error."), t.list("signal.error."),
        t.get("signal.error_outside_restarts"), sum("signal.unanswered."), t.list("signal.unanswered."), t.get("signal.received"));
    long lost = t.get("check.lost");
    long dup = t.get("check.duplicate");
    long ooo = t.get("check.out_of_order");
    long mis = t.get("check.misdelivered");
    System.out.printf("checks: lost %d, duplicated %d, out of order %d, misdelivered %d; errored but delivered %d, late"
        + " (arrived after its grace) %d%n", lost, dup, ooo, mis, t.get("check.error_but_delivered"), t.get("check.late"));
    System.out.printf("pushes without a reply within 10 s: %d (%s); replies after that: %d%n", sum("protocol.no_reply."),
        t.list("protocol.no_reply."), t.get("protocol.reply_after_timeout"));
    System.out.printf("churn: cycles ok %d, failed %d (%s), of them outside restarts %d; skipped %d%n", t.get("churn.cycles_ok"),
        sum("churn.failed."), t.list("churn.failed."), t.get("churn.failed_outside_restarts"),
        t.get("churn.skipped_too_many_in_flight"));
    System.out.printf("churn checks: %s%n", t.list("churn.check."));
    System.out.printf("clients: sockets opened %d, reconnects %d, connect failures %d, join errors %d (%s), of them outside"
        + " restarts %d, heartbeat timeouts %d, unexpected %s%n", t.get("sockets.opened"), t.get("client.reconnects"),
        t.get("client.connect_failed"), sum("join.error."), t.list("join.error."), t.get("join.error_outside_restarts"),
        t.get("heartbeat.timeout"), t.list("client.unexpected_"));
    System.out.printf("room events (informational): %s; restarts: %s%n", t.list("room_event."), t.list("control."));
    if (lost + dup + ooo + mis > 0) {
      failures.add(String.format("ok'd signals lost %d, duplicated %d, out of order %d, misdelivered %d", lost, dup, ooo, mis));
    }
    if (sum("protocol.no_reply.") > 0) {
      failures.add(sum("protocol.no_reply.") + " pushes without a reply");
    }
    if (t.get("churn.failed_outside_restarts") + t.get("join.error_outside_restarts") > 0) {
      failures.add(t.get("churn.failed_outside_restarts") + " churn cycles and " + t.get("join.error_outside_restarts")
          + " joins failed outside restarts");
    }
    if (sum("control.failed.") > 0) {
      failures.add("a restart failed: " + t.list("control.failed."));
    }
  }

  private long sum(String prefix) {
    return env.tally.withPrefix(prefix).values().stream().mapToLong(Long::longValue).sum();
  }
}

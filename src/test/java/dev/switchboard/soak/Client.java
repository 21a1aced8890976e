package dev.switchboard.soak;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A long-lived peer that behaves like phoenix.js: joins its room and its own {@code peer:<id>} topic,
 * heartbeats every 30 s (a heartbeat still unanswered at the next one closes the socket), rejoins after
 * a refused join (1, 2, 5, then every 10 s) and reconnects after its socket closed (10 ms … 5 s backoff),
 * always to the same node. Keeps the room's member list as announced to it, for the end-of-run check.
 */
final class Client {
  private static final long[] RECONNECT_MS = {10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000};
  private static final long[] REJOIN_MS = {1000, 2000, 5000, 10_000};
  static final long HEARTBEAT_MS = 30_000;

  final String room;
  final int port;
  private final Env env;
  private final Consumer<Conn> onReady;
  private final Consumer<Conn> onDown;
  private final Set<String> view = ConcurrentHashMap.newKeySet();
  private volatile Conn ready;
  /** When (run seconds) the last room join of the current socket was sent. */
  volatile double joinSentAt;
  private volatile boolean stopped;
  private int attempt;
  private boolean heartbeatPending;
  private long heartbeatTimer = -1;

  Client(Env env, String room, int port, Consumer<Conn> onReady, Consumer<Conn> onDown) {
    this.env = env;
    this.room = room;
    this.port = port;
    this.onReady = onReady;
    this.onDown = onDown;
  }

  /** The socket once joined to both topics, else null. */
  Conn ready() {
    return ready;
  }

  Set<String> view() {
    return view;
  }

  String topic() {
    return "room:" + room;
  }

  void start() {
    Conn.open(env, port, this::onFrame).onComplete(opened -> {
      if (opened.failed()) {
        env.tally.inc("client.connect_failed");
        retryLater();
        return;
      }
      Conn conn = opened.result();
      view.clear(); // a new socket is a new peer: it learns the room afresh
      conn.closed().onComplete(v -> down(conn));
      join(conn, 0);
    });
  }

  void stop() {
    stopped = true;
    Conn conn = ready;
    if (conn != null) {
      conn.close();
    }
  }

  private void join(Conn conn, int tries) {
    joinSentAt = env.seconds();
    conn.join(topic(), new JsonObject()).compose(response -> {
      conn.peerId = response.getString("peer_id");
      response.getJsonArray("peers", new JsonArray()).forEach(p -> view.add(String.valueOf(p)));
      env.memberJoined(room, conn.peerId);
      return conn.join("peer:" + conn.peerId, new JsonObject());
    }).onSuccess(v -> {
      attempt = 0;
      ready = conn;
      long first = ThreadLocalRandom.current().nextLong(1, HEARTBEAT_MS); // spread the sockets' heartbeats
      heartbeatTimer = env.vertx.setTimer(first, t -> heartbeat(conn));
      onReady.accept(conn);
    }).onFailure(e -> {
      String reason = e instanceof Conn.Refusal refusal ? refusal.reason() : e.toString();
      if (!conn.isOpen() || "socket_closed".equals(reason)) {
        return; // down() reconnects
      }
      env.tally.inc("join.error." + reason);
      if (!env.isDisturbed()) {
        env.tally.inc("join.error_outside_restarts");
      }
      long delay = REJOIN_MS[Math.min(tries, REJOIN_MS.length - 1)];
      env.vertx.setTimer(delay, t -> {
        if (conn.isOpen()) {
          join(conn, tries + 1);
        }
      });
    });
  }

  private void heartbeat(Conn conn) {
    if (!conn.isOpen()) {
      return;
    }
    if (heartbeatPending) {
      env.tally.inc("heartbeat.timeout");
      conn.close();
      return;
    }
    heartbeatPending = true;
    conn.heartbeat().onComplete(reply -> {
      heartbeatPending = false;
      if (reply.failed() && reply.cause() instanceof Conn.Refusal refusal && !"socket_closed".equals(refusal.reason())) {
        env.tally.inc("heartbeat." + refusal.reason());
      }
    });
    heartbeatTimer = env.vertx.setTimer(HEARTBEAT_MS, t -> heartbeat(conn));
  }

  private void onFrame(Conn conn, String topic, String event, JsonObject payload) {
    if (event.startsWith("signal:")) {
      env.ledger.received(conn, topic, payload);
      return;
    }
    if (!topic.equals(topic())) {
      if ("phx_close".equals(event) || "phx_error".equals(event)) {
        env.tally.inc("client.unexpected_" + event);
        conn.close();
      }
      return;
    }
    String peer = payload.getString("peer_id");
    switch (event) {
      case "peer:joined" -> {
        if (peer.equals(conn.peerId) || !view.add(peer)) {
          env.tally.inc("room_event.joined_twice_or_self");
        }
      }
      case "peer:left" -> {
        if (!view.remove(peer)) {
          env.tally.inc("room_event.left_unknown");
        }
      }
      case "room:peers", "peer:state" -> { }
      case "phx_close", "phx_error" -> {
        env.tally.inc("client.unexpected_" + event);
        conn.close();
      }
      default -> env.tally.inc("room_event.unexpected_" + event);
    }
  }

  private void down(Conn conn) {
    if (conn.peerId != null) {
      env.memberGone(room, conn.peerId);
    }
    if (heartbeatTimer >= 0) {
      env.vertx.cancelTimer(heartbeatTimer);
    }
    heartbeatPending = false;
    boolean wasReady = ready == conn;
    ready = null;
    if (wasReady) {
      onDown.accept(conn);
    }
    if (!stopped) {
      env.tally.inc("client.reconnects");
      retryLater();
    }
  }

  private void retryLater() {
    if (stopped) {
      return;
    }
    long base = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)];
    env.vertx.setTimer(base + ThreadLocalRandom.current().nextLong(base / 5 + 1), t -> start());
  }
}

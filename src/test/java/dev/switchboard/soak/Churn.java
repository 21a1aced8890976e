package dev.switchboard.soak;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Short-lived peers at a steady rate. One cycle: A connects and joins a fresh room, B connects and joins
 * it (its reply must list A, A must get {@code peer:joined} B), A sends an offer that B answers (both
 * through the ledger), A leaves (B must get {@code peer:left} A), then both close, B without leaving.
 * A cycle that fails says at which stage and why ({@code churn.failed.<stage>:<reason>}).
 */
final class Churn {
  private static final long CYCLE_TIMEOUT_MS = 20_000;
  private static final long EVENT_WAIT_MS = 5_000;
  private static final int FAILURES_SHOWN = 20;

  private final Env env;
  private final int[] ports;
  private final double perSecond;
  private final int maxInFlight;
  /** A pause before A leaves (diagnostic: does a peer:left lost across nodes still get lost later?). */
  private final long leaveDelayMs;
  private final String runId = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger failuresShown = new AtomicInteger();
  private long launched;
  private long timer = -1;

  Churn(Env env, int[] ports, double perSecond, int maxInFlight, long leaveDelayMs) {
    this.env = env;
    this.leaveDelayMs = leaveDelayMs;
    this.ports = ports;
    this.perSecond = perSecond;
    this.maxInFlight = maxInFlight;
  }

  void start() {
    if (perSecond <= 0) {
      return;
    }
    long started = System.nanoTime();
    timer = env.vertx.setPeriodic(50, t -> {
      long due = (long) ((System.nanoTime() - started) / 1e9 * perSecond);
      while (launched < due) {
        long k = launched++;
        if (inFlight.get() >= maxInFlight) {
          env.tally.inc("churn.skipped_too_many_in_flight");
        } else {
          new Cycle(k).run();
        }
      }
    });
  }

  /** Starts no more cycles and waits (up to the cycle timeout) for those under way. */
  void stop() throws InterruptedException {
    if (timer >= 0) {
      env.vertx.cancelTimer(timer);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CYCLE_TIMEOUT_MS + 2_000);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  private final class Cycle {
    private final String room;
    private final String topic;
    private final int portA;
    private final int portB;
    private final Promise<Void> result = Promise.promise();
    private final Promise<Void> aSawJoined = Promise.promise();
    private final Promise<Void> aGotAnswer = Promise.promise();
    private final Promise<Void> bSawLeft = Promise.promise();
    private final java.util.Set<String> joinedSeenByA = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile String stage = "connect_a";
    private volatile Conn ca;
    private volatile Conn cb;
    private volatile SignalStream offer;
    private volatile SignalStream answer;

    Cycle(long k) {
      room = "churn-" + runId + "-" + k;
      topic = "room:" + room;
      portA = ports[(int) (k % ports.length)];
      portB = ports[(int) ((k + k / 2) % ports.length)];
    }

    void run() {
      inFlight.incrementAndGet();
      long timeout = env.vertx.setTimer(CYCLE_TIMEOUT_MS, t -> result.tryFail(new Conn.Refusal("timeout")));
      Conn.open(env, portA, this::onA).compose(c -> {
        ca = watch(c);
        stage = "join_a";
        return c.join(topic, new JsonObject());
      }).compose(reply -> {
        ca.peerId = reply.getString("peer_id");
        stage = "connect_b";
        return Conn.open(env, portB, this::onB);
      }).compose(c -> {
        cb = watch(c);
        stage = "join_b";
        return c.join(topic, new JsonObject());
      }).compose(reply -> {
        cb.peerId = reply.getString("peer_id");
        if (!reply.getJsonArray("peers", new JsonArray()).contains(ca.peerId)) {
          env.tally.inc("churn.check.join_reply_without_first_peer");
        }
        stage = "peer_joined";
        if (joinedSeenByA.contains(cb.peerId)) {
          aSawJoined.tryComplete();
        }
        return within(aSawJoined);
      }).compose(v -> {
        stage = "offer";
        offer = env.ledger.open("churn", ca.peerId, cb.peerId);
        return env.ledger.send(offer, ca, topic, "offer");
      }).compose(outcome -> {
        if (!"ok".equals(outcome)) {
          return Future.failedFuture(new Conn.Refusal(outcome));
        }
        stage = "answer";
        return within(aGotAnswer);
      }).compose(v -> {
        stage = "leave";
        if (leaveDelayMs <= 0) {
          return ca.leave(topic);
        }
        Promise<Void> paused = Promise.promise();
        env.vertx.setTimer(leaveDelayMs, t -> paused.complete());
        return paused.future().compose(x -> ca.leave(topic));
      }).compose(v -> {
        stage = "peer_left";
        return within(bSawLeft);
      }).onComplete(done -> {
        if (done.succeeded()) {
          result.tryComplete();
        } else {
          result.tryFail(done.cause());
        }
      });
      result.future().onComplete(done -> {
        env.vertx.cancelTimer(timeout);
        finish(done.failed() ? done.cause() : null);
      });
    }

    private Conn watch(Conn conn) {
      conn.closed().onComplete(v -> result.tryFail(new Conn.Refusal("socket_closed")));
      return conn;
    }

    private Future<Void> within(Promise<Void> event) {
      long t = env.vertx.setTimer(EVENT_WAIT_MS, x -> event.tryFail(new Conn.Refusal("not_received_in_5s")));
      return event.future().onComplete(v -> env.vertx.cancelTimer(t));
    }

    private void onA(Conn conn, String topicIn, String event, JsonObject payload) {
      if (event.startsWith("signal:")) {
        env.ledger.received(conn, topicIn, payload);
        aGotAnswer.tryComplete();
      } else if ("peer:joined".equals(event)) {
        String peer = payload.getString("peer_id");
        joinedSeenByA.add(peer); // B's join reply may still be on its way to the driver
        Conn b = cb;
        if (b != null && peer.equals(b.peerId)) {
          aSawJoined.tryComplete();
        } else if (joinedSeenByA.size() > 1) {
          env.tally.inc("churn.check.peer_joined_of_a_stranger");
        }
      }
    }

    private void onB(Conn conn, String topicIn, String event, JsonObject payload) {
      if (event.startsWith("signal:")) {
        env.ledger.received(conn, topicIn, payload);
        if ("signal:offer".equals(event) && answer == null) {
          answer = env.ledger.open("churn", cb.peerId, ca.peerId);
          env.ledger.send(answer, cb, topic, "answer");
        }
      } else if ("peer:left".equals(event)) {
        if (payload.getString("peer_id").equals(ca.peerId)) {
          bSawLeft.tryComplete();
        } else {
          env.tally.inc("churn.check.peer_left_of_a_stranger");
        }
      }
    }

    private void finish(Throwable failure) {
      double now = env.seconds();
      if (offer != null) {
        offer.end("cycle over", now);
      }
      if (answer != null) {
        answer.end("cycle over", now);
      }
      if (ca != null) {
        ca.close();
      }
      if (cb != null) {
        cb.close();
      }
      inFlight.decrementAndGet();
      if (failure == null) {
        env.tally.inc("churn.cycles_ok");
        return;
      }
      String reason = failure instanceof Conn.Refusal refusal ? refusal.reason() : failure.toString();
      env.tally.inc("churn.failed." + stage + ":" + reason);
      if (!env.isDisturbed()) {
        env.tally.inc("churn.failed_outside_restarts");
        if (failuresShown.incrementAndGet() <= FAILURES_SHOWN) {
          env.log("churn cycle %s failed at %s: %s (A on %d, B on %d)", room, stage, reason, portA, portB);
        }
      }
    }
  }
}

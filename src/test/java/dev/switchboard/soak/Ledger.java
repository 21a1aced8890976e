package dev.switchboard.soak;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every numbered signal of the run: each body carries {@code {s: stream, n: seq, to: target}}, so a
 * reception names the stream it belongs to and can be checked against it (right target, right sender,
 * once, in order). Counters: {@code signal.*} for outcomes, {@code check.*} for violations.
 */
final class Ledger {
  private static final int DETAILS_SHOWN = 30;

  private final Tally tally;
  private final long graceNanos;
  private final Env env;
  private final Map<String, SignalStream> streams = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  private final AtomicInteger detailsShown = new AtomicInteger();

  Ledger(Tally tally, long graceNanos, Env env) {
    this.tally = tally;
    this.graceNanos = graceNanos;
    this.env = env;
  }

  SignalStream open(String label, String from, String to) {
    SignalStream stream = new SignalStream(label + "-" + ids.incrementAndGet(), label, from, to);
    streams.put(stream.id, stream);
    return stream;
  }

  /**
   * Sends the stream's next signal from {@code conn} on {@code topic}.
   *
   * @return the outcome ({@code ok}, the refusal's reason, {@code socket_closed}, {@code no_reply}), or null
   *     when the stream has ended and nothing was sent
   */
  Future<String> send(SignalStream stream, Conn conn, String topic, String kind) {
    int seq = stream.next();
    if (seq < 0) {
      return null;
    }
    tally.inc("signal.sent");
    JsonObject body = new JsonObject().put("s", stream.id).put("n", seq).put("to", stream.to);
    return conn.push(topic, "signal:" + kind, new JsonObject().put("to", stream.to).put("body", body))
        .transform(reply -> Future.succeededFuture(replied(stream, seq, reply)));
  }

  private String replied(SignalStream stream, int seq, AsyncResult<JsonObject> reply) {
    String outcome = reply.succeeded() ? "ok" : reply.cause() instanceof Conn.Refusal refusal ? refusal.reason()
        : String.valueOf(reply.cause());
    switch (outcome) {
      case "ok" -> tally.inc("signal.ok");
      case "socket_closed" -> tally.inc("signal.unanswered.socket_closed");
      case "no_reply" -> {
        tally.inc("signal.unanswered.no_reply");
        failure("no_reply", stream, seq, "no reply within 10 s on an open socket");
      }
      default -> {
        tally.inc("signal.error." + outcome);
        if (!env.isDisturbed()) {
          tally.inc("signal.error_outside_restarts");
        }
      }
    }
    stream.replied(seq, outcome, System.nanoTime());
    return outcome;
  }

  /** A {@code signal:*} frame that reached {@code receiver}. */
  void received(Conn receiver, String topic, JsonObject payload) {
    tally.inc("signal.received");
    Object value = payload.getValue("body");
    JsonObject body = value instanceof JsonObject json ? json : null;
    SignalStream stream = body == null ? null : streams.get(String.valueOf(body.getValue("s")));
    if (stream == null) {
      failure("misdelivered", null, -1, "unknown stream on " + topic + ": " + payload.encode());
      return;
    }
    int seq = body.getInteger("n", -1);
    String from = payload.getString("from");
    if (!stream.to.equals(receiver.peerId) || !stream.to.equals(body.getString("to")) || !stream.from.equals(from)) {
      failure("misdelivered", stream, seq, "received by " + SignalStream.abbreviate(receiver.peerId) + " from "
          + SignalStream.abbreviate(from) + " on " + topic);
      return;
    }
    String wrong = stream.received(seq);
    if (wrong != null) {
      failure(wrong, stream, seq, "on " + topic);
    }
  }

  /** Judges replies older than the grace period (all when {@code force}); drops streams long finished. */
  void sweep(long now, boolean force) {
    streams.values().removeIf(stream -> stream.sweep(now, graceNanos, force, this));
  }

  long graceMillis() {
    return graceNanos / 1_000_000;
  }

  /** Streams still tracked (open, or ended and not yet fully judged). */
  int tracked() {
    return streams.size();
  }

  double secondsAt(long nanoTime) {
    return env.seconds() - (System.nanoTime() - nanoTime) / 1e9;
  }

  void failure(String check, SignalStream stream, int seq, String detail) {
    if ("late".equals(check)) {
      tally.add("check.lost", -1); // counted lost when its grace ran out; it came after all
    }
    tally.inc("check." + check);
    if (detailsShown.incrementAndGet() <= DETAILS_SHOWN) {
      env.log("CHECK %s: seq %d of %s: %s", check, seq, stream == null ? "?" : stream.describe(), detail);
    } else if (detailsShown.get() == DETAILS_SHOWN + 1) {
      env.log("(further check failures are only counted)");
    }
  }
}

package dev.switchboard.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * Two peers in a room of their own, each sending numbered {@code signal:candidate} pushes to the other
 * at a steady rate, without waiting for replies. An epoch lasts while both sockets stay up; when either
 * closes, both streams end, the peer reconnects (new peer id) and a new epoch starts from sequence 0.
 */
final class RelayPair {
  private static final long TICK_MS = 20;

  private final Env env;
  private final double perSecond;
  final Client a;
  final Client b;
  private final List<Long> timers = new ArrayList<>();
  private final List<SignalStream> streams = new ArrayList<>();
  private boolean running;
  private boolean stopped;
  int epochs;

  RelayPair(Env env, int index, int portA, int portB, double perSecond) {
    this.env = env;
    this.perSecond = perSecond;
    a = new Client(env, "relay-" + index, portA, c -> maybeStart(), c -> end("socket of a peer closed"));
    b = new Client(env, "relay-" + index, portB, c -> maybeStart(), c -> end("socket of a peer closed"));
  }

  void start() {
    a.start();
    b.start();
  }

  /** Stops sending (end of run); the sockets stay up. */
  synchronized void quiesce() {
    stopped = true;
    end("end of run");
  }

  void close() {
    a.stop();
    b.stop();
  }

  private synchronized void maybeStart() {
    Conn ca = a.ready();
    Conn cb = b.ready();
    if (running || stopped || ca == null || cb == null) {
      return;
    }
    running = true;
    epochs++;
    sender(ca, cb, env.ledger.open("relay", ca.peerId, cb.peerId));
    sender(cb, ca, env.ledger.open("relay", cb.peerId, ca.peerId));
  }

  private void sender(Conn from, Conn to, SignalStream stream) {
    streams.add(stream);
    String topic = a.topic();
    from.context.runOnContext(v -> {
      long started = System.nanoTime();
      long[] sent = {0};
      long timer = env.vertx.setPeriodic(TICK_MS, t -> {
        long due = (long) ((System.nanoTime() - started) / 1e9 * perSecond);
        while (sent[0] < due && env.ledger.send(stream, from, topic, "candidate") != null) {
          sent[0]++;
        }
      });
      synchronized (this) {
        if (running) {
          timers.add(timer);
        } else {
          env.vertx.cancelTimer(timer);
        }
      }
    });
  }

  private synchronized void end(String why) {
    if (!running) {
      return;
    }
    running = false;
    timers.forEach(env.vertx::cancelTimer);
    timers.clear();
    streams.forEach(s -> s.end(why, env.seconds()));
    streams.clear();
  }
}

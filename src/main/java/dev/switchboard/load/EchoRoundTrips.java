package dev.switchboard.load;

/**
 * Round trips of a targeted signal A→B→A, one in flight at a time: A signals B, B signals the same body
 * back, A records the time. A's own signal's {@code ok} reply is timed too (the ack latency: ok means
 * written to B's socket). A round trip that does not come back within 5 s is counted lost and the next
 * one starts. A's state lives on A's lane, B only echoes on its own.
 */
final class EchoRoundTrips {
  private static final long LOST_AFTER_NANOS = 5_000_000_000L;

  private final LoadRun run;
  private final LoadPeer a;
  private final LoadPeer b;
  private final LatencyHistogram rtt;
  private final LatencyHistogram ack;
  private final long pauseMillis;
  private volatile boolean running;
  private long body;
  private long sentAt;
  private long signalRef = -1;
  /** When the signal of {@link #signalRef} was sent (its reply may come after the echo). */
  private long signalSentAt;
  private long count;

  /**
   * @param pauseMillis the pause between a round trip and the next (0: back to back)
   */
  EchoRoundTrips(LoadRun run, LoadPeer a, LoadPeer b, LatencyHistogram rtt, LatencyHistogram ack, long pauseMillis) {
    this.run = run;
    this.a = a;
    this.b = b;
    this.rtt = rtt;
    this.ack = ack;
    this.pauseMillis = pauseMillis;
  }

  void start() {
    running = true;
    b.listener = new LoadPeer.Listener() {
      @Override
      public void onSignal(LoadPeer peer, String from, long value) {
        if (from != null && from.equals(a.id())) {
          b.signal(a.id(), "echo", value);
        }
      }

      @Override
      public void onReply(LoadPeer peer, long ref, boolean ok, String reason) {
        if (!ok) {
          run.stats.error("signal_refused: " + reason);
        }
      }
    };
    a.listener = new LoadPeer.Listener() {
      @Override
      public void onSignal(LoadPeer peer, String from, long value) {
        if (from != null && from.equals(b.id()) && value == body && sentAt != 0) {
          long elapsed = System.nanoTime() - sentAt;
          rtt.recordNanos(elapsed);
          if (!run.stats.heartbeatHeadline) {
            run.stats.progressLatency.recordNanos(elapsed);
          }
          sentAt = 0;
          count++;
          next();
        }
      }

      @Override
      public void onReply(LoadPeer peer, long ref, boolean ok, String reason) {
        if (ref == signalRef) {
          if (ok && ack != null) {
            ack.recordNanos(System.nanoTime() - signalSentAt);
          } else if (!ok) {
            run.stats.error("signal_refused: " + reason);
          }
        }
      }
    };
    a.lane.context.runOnContext(v -> {
      send();
      run.vertx.setPeriodic(1000, id -> {
        if (!running) {
          run.vertx.cancelTimer(id);
        } else if (sentAt != 0 && System.nanoTime() - sentAt > LOST_AFTER_NANOS) {
          run.stats.error("round_trip_lost");
          send();
        }
      });
    });
  }

  private void next() {
    if (!running) {
      return;
    }
    if (pauseMillis == 0) {
      send();
    } else {
      run.vertx.setTimer(pauseMillis, id -> {
        if (running) {
          send();
        }
      });
    }
  }

  private void send() {
    body++;
    sentAt = System.nanoTime();
    signalSentAt = sentAt;
    signalRef = a.signal(b.id(), "echo", body);
  }

  /** Stops after the round trip in flight; returns how many completed. */
  long stop() {
    running = false;
    long done = run.onLane(a, () -> count);
    a.listener = LoadPeer.QUIET;
    b.listener = LoadPeer.QUIET;
    return done;
  }
}

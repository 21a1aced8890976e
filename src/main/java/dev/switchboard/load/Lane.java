package dev.switchboard.load;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One event loop of the load client and the peers that live on it. A peer's socket, timers and state
 * stay on its lane, so nothing a peer owns is shared between threads. The lane also sends the
 * heartbeats of its peers: one timer per lane ticking ten times a second, each peer beating in its own
 * slot of the interval, instead of one timer per socket (and instead of a burst once a second, which
 * would measure the client's own queueing).
 */
final class Lane {
  private static final int TICKS_PER_SECOND = 10;
  final Context context;
  private final List<LoadPeer> heartbeating = new ArrayList<>();
  private long lastTick;

  private Lane(Context context) {
    this.context = context;
  }

  /** One lane per event loop: a verticle instance per lane gives each its own event-loop context. */
  static List<Lane> start(Vertx vertx, int count) {
    List<Context> contexts = Collections.synchronizedList(new ArrayList<>());
    try {
      vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          contexts.add(context);
          return Future.succeededFuture();
        }
      }, new DeploymentOptions().setInstances(count)).await(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the load client's event loops did not start within 30 s", e);
    }
    List<Lane> lanes = new ArrayList<>();
    for (Context context : contexts) {
      lanes.add(new Lane(context));
    }
    return List.copyOf(lanes);
  }

  /**
   * Heartbeats every {@code seconds} for each peer handed to {@link #heartbeat}; call once. Slots follow the
   * clock, not the count of timer firings: a periodic timer fires its missed runs in a burst after a stall,
   * which would otherwise beat the same peers twice in a row.
   */
  void startHeartbeats(Vertx vertx, int seconds) {
    long slots = (long) seconds * TICKS_PER_SECOND;
    long tickNanos = 1_000_000_000L / TICKS_PER_SECOND;
    context.runOnContext(v -> {
      lastTick = System.nanoTime() / tickNanos;
      vertx.setPeriodic(1000 / TICKS_PER_SECOND, id -> {
        long now = System.nanoTime() / tickNanos;
        // the slots due since the last run, at most one whole interval (every peer once)
        for (long tick = Math.max(lastTick + 1, now - slots + 1); tick <= now; tick++) {
          long slot = Math.floorMod(tick, slots);
          for (LoadPeer peer : heartbeating) {
            if (peer.index % slots == slot) {
              peer.heartbeat();
            }
          }
        }
        lastTick = Math.max(lastTick, now);
      });
    });
  }

  /** Adds a joined peer to the heartbeat rota. On this lane's loop. */
  void heartbeat(LoadPeer peer) {
    heartbeating.add(peer);
  }
}

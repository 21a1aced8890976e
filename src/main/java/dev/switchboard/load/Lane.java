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
 * heartbeats of its peers: one timer per lane ticking each second, each peer beating in its own slot of
 * the interval, instead of one timer per socket.
 */
final class Lane {
  final Context context;
  private final List<LoadPeer> heartbeating = new ArrayList<>();
  private long tick;

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

  /** Heartbeats every {@code seconds} for each peer handed to {@link #heartbeat}; call once. */
  void startHeartbeats(Vertx vertx, int seconds) {
    context.runOnContext(v -> vertx.setPeriodic(1000, id -> {
      long slot = tick++ % seconds;
      for (LoadPeer peer : heartbeating) {
        if (peer.index % seconds == slot) {
          peer.heartbeat();
        }
      }
    }));
  }

  /** Adds a joined peer to the heartbeat rota. On this lane's loop. */
  void heartbeat(LoadPeer peer) {
    heartbeating.add(peer);
  }
}

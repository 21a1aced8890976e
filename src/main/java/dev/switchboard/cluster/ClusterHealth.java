package dev.switchboard.cluster;

import io.vertx.core.Future;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * A clustered node's view of its own membership: who may be reaped, whether it admits new sockets, what
 * {@code /ready} says about the cluster, and how it heals after it stood still.
 * <p>
 * A node that was frozen (SIGSTOP, VM stall, long GC) longer than the failure timeout has been dropped
 * by the others, who reaped its peers. On resume its own view is the stale one: Hazelcast soon reports
 * the others gone, and reaping on that would remove their live peers. So once the {@link PauseDetector}
 * saw a pause this node <em>heals</em>: it treats itself as the node that left. It reaps nobody (neither on
 * a member leaving its view nor on a silent heartbeat), closes every client socket with 1012 so the
 * clients reconnect and rejoin (their leaves are idempotent: peers already reaped announce nothing
 * again), heartbeats Redis at once, refuses new sockets, and waits for Hazelcast's split-brain merge.
 * It is healed when its sockets are closed, its heartbeat is in Redis, the settle time has passed
 * (long enough for Hazelcast's own reaction to the stale view, at least the failure timeout) and its
 * Hazelcast view holds every node Redis lists as live. Nodes that really died meanwhile are reaped
 * afterwards by their stale heartbeat.
 * <p>
 * Plain class: the node's operations come in as {@link Ports}; thread-safe (the timer, Hazelcast's
 * callback thread and the gateways' event loops all call it).
 */
public final class ClusterHealth {
  private static final Logger LOG = Logger.getLogger(ClusterHealth.class.getName());
  public static final String OK = "ok";
  public static final String HEALING = "healing";
  public static final String PARTITIONED = "partitioned";
  public static final String NOT_JOINED = "not_joined";
  private static final long READINESS_TIMEOUT_MILLIS = 1_000;

  /** What the health logic does to and asks of the node. */
  public interface Ports {
    /** Node ids in this node's Hazelcast view now (empty while it cannot tell). */
    List<String> clusterMembers();

    boolean clusterJoined();

    /** Marks this node live in Redis now. */
    Future<Void> heartbeat();

    /** Nodes with a fresh heartbeat in Redis. */
    Future<List<String>> liveNodes();

    /** Nodes whose heartbeat in Redis is stale. */
    Future<List<String>> silentNodes();

    /** Removes a dead node's peers (with {@code onlyIfSilent}: only if still silent); how many were removed here. */
    Future<Integer> reap(String nodeId, boolean onlyIfSilent);

    /** Closes every client socket of this node so that its clients reconnect (1012), after their peers left. */
    Future<Void> closeClientSockets();
  }

  private final String nodeId;
  private final PauseDetector detector;
  private final Duration settle;
  private final LongSupplier nanoClock;
  private final Ports ports;

  // guarded by this
  private boolean healing;
  private long healingSince;
  private boolean socketsClosed;
  private boolean heartbeated;
  private boolean heartbeatInFlight;
  private boolean checkInFlight;

  /**
   * @param settle the least time a heal takes after the pause was noticed: Hazelcast's own reaction to
   *               its stale view (dropping the members it no longer hears) must be over before the view
   *               is trusted
   */
  public ClusterHealth(String nodeId, PauseDetector detector, Duration settle, LongSupplier nanoClock, Ports ports) {
    this.nodeId = nodeId;
    this.detector = detector;
    this.settle = settle;
    this.nanoClock = nanoClock;
    this.ports = ports;
  }

  /** The periodic timer's call (every pause-detector interval). */
  public void tick() {
    Duration pause = detector.tick();
    if (!pause.isZero()) {
      startHealing("stood still for " + pause.toMillis() + " ms");
    }
    progress();
  }

  /** Hazelcast dropped a member: reap its peers, unless this node's own view is the stale one. */
  public void nodeLeft(String deadNodeId) {
    if (!mayReap()) {
      LOG.warning("node " + deadNodeId + " left the cluster view of " + nodeId + " while it heals from a pause: "
          + "not reaped from a stale view (its heartbeat in Redis decides once healed)");
      return;
    }
    ports.reap(deadNodeId, false)
        .onSuccess(removed -> LOG.info("node " + deadNodeId + " left; its peers reaped here: " + removed))
        .onFailure(e -> LOG.warning("reaping node " + deadNodeId + " failed: " + e.getMessage()));
  }

  /**
   * The heartbeat timer's call: marks this node live in Redis, then reaps nodes whose heartbeat went
   * stale and that are not in the cluster view (the reaping script checks staleness again).
   */
  public void heartbeatCycle() {
    long issued = nanoClock.getAsLong();
    ports.heartbeat()
        .onSuccess(v -> heartbeatDone(issued))
        .compose(v -> mayReap() ? ports.silentNodes() : Future.succeededFuture(List.<String>of()))
        .onSuccess(silent -> {
          if (silent.isEmpty() || !mayReap()) {
            return;
          }
          List<String> view = ports.clusterMembers();
          // a member of the cluster is alive even if its heartbeat lapsed (e.g. right after a Redis restart)
          silent.stream().filter(id -> !id.equals(nodeId) && !view.contains(id)).forEach(dead -> ports.reap(dead, true)
              .onSuccess(removed -> {
                if (removed > 0) {
                  LOG.info("node " + dead + " fell silent; its peers reaped here: " + removed);
                }
              }));
        });
  }

  /** False while this node heals (or stood still and has not noticed yet): new sockets get 503. */
  public boolean admitting() {
    return !healingNow();
  }

  /**
   * The cluster check of {@code /ready}: {@code not_joined}, {@code healing}, {@code partitioned} (Redis
   * lists a live node this node's cluster view lacks) or {@code ok}. When Redis does not answer the
   * registry check already says so; this one then goes by the cluster view alone.
   */
  public Future<String> readiness() {
    if (!ports.clusterJoined()) {
      return Future.succeededFuture(NOT_JOINED);
    }
    if (healingNow()) {
      return Future.succeededFuture(HEALING);
    }
    return ports.liveNodes().timeout(READINESS_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .map(live -> ports.clusterMembers().containsAll(live) ? OK : PARTITIONED)
        .otherwise(OK);
  }

  public synchronized boolean healing() {
    return healing;
  }

  private boolean mayReap() {
    return !healingNow();
  }

  /** Healing, or a pause is in progress that the timer has not seen yet (which starts healing now). */
  private boolean healingNow() {
    if (detector.pauseInProgress()) {
      startHealing("stood still for more than " + detector.threshold().toMillis() + " ms");
      return true;
    }
    synchronized (this) {
      return healing;
    }
  }

  private void startHealing(String why) {
    synchronized (this) {
      healingSince = nanoClock.getAsLong();
      heartbeated = false;
      if (healing) {
        return; // noticed twice (a caller, then the timer): the settle time counts from now
      }
      healing = true;
      socketsClosed = false;
    }
    LOG.warning("node " + nodeId + " " + why + ": its cluster view is stale and the others may have reaped its "
        + "peers; healing: no reaping, client sockets closed with 1012, new sockets refused until its cluster "
        + "view holds every live node");
    ports.closeClientSockets().onComplete(closed -> {
      if (closed.failed()) {
        LOG.warning("closing client sockets while healing: " + closed.cause().getMessage());
      }
      synchronized (this) {
        socketsClosed = true;
      }
    });
    heartbeatNow();
  }

  private void heartbeatNow() {
    synchronized (this) {
      if (heartbeatInFlight) {
        return;
      }
      heartbeatInFlight = true;
    }
    long issued = nanoClock.getAsLong();
    ports.heartbeat().onComplete(done -> {
      synchronized (this) {
        heartbeatInFlight = false;
      }
      if (done.succeeded()) {
        heartbeatDone(issued);
      }
    });
  }

  private synchronized void heartbeatDone(long issuedAt) {
    if (issuedAt - healingSince >= 0) {
      heartbeated = true;
    }
  }

  private void progress() {
    boolean check;
    boolean needHeartbeat;
    long since;
    synchronized (this) {
      if (!healing) {
        return;
      }
      since = healingSince;
      needHeartbeat = !heartbeated;
      check = socketsClosed && heartbeated && !checkInFlight && nanoClock.getAsLong() - since >= settle.toNanos();
      if (check) {
        checkInFlight = true;
      }
    }
    if (needHeartbeat) {
      heartbeatNow();
    }
    if (!check) {
      return;
    }
    ports.liveNodes().onComplete(live -> {
      List<String> view = ports.clusterMembers();
      boolean whole = live.succeeded() && ports.clusterJoined() && view.contains(nodeId)
          && view.containsAll(live.result());
      synchronized (this) {
        checkInFlight = false;
        if (!whole || !healing || healingSince != since) {
          return;
        }
        healing = false;
      }
      LOG.info("node " + nodeId + " healed " + (nanoClock.getAsLong() - since) / 1_000_000 + " ms after noticing "
          + "the pause: its cluster view " + view + " holds every live node " + live.result() + "; admitting sockets");
    });
  }
}

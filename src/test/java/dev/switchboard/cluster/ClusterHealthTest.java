package dev.switchboard.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The healing rules with a clock moved by hand and a fake node: failure timeout 5 s, so the pause
 * threshold is 2.5 s and a heal takes at least 6 s (the settle time).
 */
class ClusterHealthTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final PauseDetector detector = new PauseDetector(now::get, Duration.ofMillis(200), PauseDetector.thresholdFor(5));
  private final FakeNode node = new FakeNode();
  private final ClusterHealth health = new ClusterHealth("n2", detector, Duration.ofSeconds(6), now::get, node);

  /** The timer keeps its schedule for a while. */
  private void run(long millis) {
    for (long t = 0; t < millis; t += 200) {
      now.addAndGet(Duration.ofMillis(200).toNanos());
      health.tick();
    }
  }

  private void freeze(long millis) {
    now.addAndGet(Duration.ofMillis(millis).toNanos());
  }

  private String readiness() {
    return health.readiness().result();
  }

  @Test
  void a_node_that_did_not_stand_still_reaps_who_leaves_its_view_and_is_ready() {
    run(1_000);
    node.view = List.of("n2");
    health.nodeLeft("n1");
    assertEquals(List.of("n1 always"), node.reaped);
    assertTrue(health.admitting());
    assertEquals("ok", readiness());
    assertEquals(0, node.socketCloses);
  }

  @Test
  void after_a_pause_it_reaps_nobody_closes_its_sockets_refuses_new_ones_and_heartbeats_at_once() {
    run(1_000);
    freeze(10_000);
    node.view = List.of("n2"); // on resume Hazelcast drops n1, which dropped this node meanwhile
    health.nodeLeft("n1");
    assertEquals(List.of(), node.reaped, "its view is the stale one: n1's live peers stay");
    assertEquals(1, node.socketCloses, "its clients reconnect (1012)");
    assertEquals(1, node.heartbeats);
    assertFalse(health.admitting());
    assertEquals("healing", readiness());
    run(200);
    assertEquals(1, node.socketCloses, "noticed by the caller, then by the timer: one heal");
    node.silent = List.of("n1");
    health.heartbeatCycle();
    assertEquals(List.of(), node.reaped, "no reaping from a stale heartbeat answer either");
  }

  @Test
  void it_heals_once_the_settle_time_passed_and_its_view_holds_every_live_node() {
    run(1_000);
    freeze(10_000);
    run(200);
    assertTrue(health.healing());
    node.view = List.of("n2");
    node.live = List.of("n1", "n2");
    run(7_000);
    assertTrue(health.healing(), "n1 is live in Redis but not in the view: still split");
    assertEquals("healing", readiness());
    node.view = List.of("n1", "n2"); // Hazelcast merged the split
    run(200);
    assertFalse(health.healing());
    assertTrue(health.admitting());
    assertEquals("ok", readiness());
    health.nodeLeft("n1");
    assertEquals(List.of("n1 always"), node.reaped, "healed: a member leaving is reaped again");
  }

  @Test
  void the_heal_waits_for_the_settle_time_and_for_its_sockets_to_close() {
    run(1_000);
    node.view = List.of("n1", "n2");
    node.live = List.of("n1", "n2");
    Promise<Void> closing = Promise.promise();
    node.closing = closing.future();
    freeze(3_000);
    run(200);
    assertTrue(health.healing());
    run(5_400);
    assertTrue(health.healing(), "a view that still looks whole is trusted only after the settle time");
    run(1_000);
    assertTrue(health.healing(), "sockets still closing");
    closing.complete();
    run(200);
    assertFalse(health.healing());
  }

  @Test
  void readiness_says_partitioned_while_redis_lists_a_live_node_outside_its_view() {
    run(1_000);
    node.view = List.of("n2");
    node.live = List.of("n1", "n2");
    assertEquals("partitioned", readiness());
    assertTrue(health.admitting(), "the other side of a split admits: its view is not stale");
    node.joined = false;
    assertEquals("not_joined", readiness());
  }

  @Test
  void silent_nodes_outside_the_view_are_reaped_only_if_still_silent_never_itself_or_a_member() {
    run(1_000);
    node.view = List.of("n2", "n3");
    node.silent = List.of("n1", "n2", "n3");
    health.heartbeatCycle();
    assertEquals(List.of("n1 if silent"), node.reaped);
  }

  private static final class FakeNode implements ClusterHealth.Ports {
    List<String> view = List.of("n1", "n2");
    List<String> live = List.of("n1", "n2");
    List<String> silent = List.of();
    boolean joined = true;
    Future<Void> closing = Future.succeededFuture();
    final List<String> reaped = new ArrayList<>();
    int socketCloses;
    int heartbeats;

    @Override
    public List<String> clusterMembers() {
      return view;
    }

    @Override
    public boolean clusterJoined() {
      return joined;
    }

    @Override
    public Future<Void> heartbeat() {
      heartbeats++;
      return Future.succeededFuture();
    }

    @Override
    public Future<List<String>> liveNodes() {
      return Future.succeededFuture(live);
    }

    @Override
    public Future<List<String>> silentNodes() {
      return Future.succeededFuture(silent);
    }

    @Override
    public Future<Integer> reap(String nodeId, boolean onlyIfSilent) {
      reaped.add(nodeId + (onlyIfSilent ? " if silent" : " always"));
      live = live.stream().filter(id -> !id.equals(nodeId)).toList(); // reaping delists the node
      return Future.succeededFuture(1);
    }

    @Override
    public Future<Void> closeClientSockets() {
      socketCloses++;
      return closing;
    }
  }
}

package dev.switchboard.cluster;

import dev.switchboard.Main;
import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.JavaProcess;
import dev.switchboard.support.ClusteredNodes;
import dev.switchboard.support.RedisProcess;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The departures of a killed node's peers reach their room-mates on every surviving node without a cluster
 * lookup per room. A clustered publish to an address its node never sent to first reads the address's
 * subscribers from Hazelcast (a blocking multimap read on the worker pool); reaping 18,000 peers so cost
 * thousands of reads while the cluster was still removing the dead member's subscriptions, and most survivors
 * had not heard their room-mates leave 30 s after the kill (capacity run, BENCHMARKS.md §7.4).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ClusterReapTest {
  /** Rooms of two: one survivor (on node 1 or node 3, alternately) and one peer of the node that dies. */
  private static final int ROOMS = 12;
  private static RedisProcess redis;
  private static Vertx bootstrap;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisProcess.start();
    bootstrap = Vertx.vertx();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    on(bootstrap.close(), 10);
    redis.close();
  }

  private static Map<String, String> env(int hazelcastPort, List<Integer> members) {
    return ClusteredNodes.env(redis.url(), hazelcastPort, members);
  }

  private static Vertx clustered(Map<String, String> env) {
    return ClusteredNodes.start(bootstrap, env);
  }

  private static long roomLookups(Vertx... nodes) {
    long sum = 0;
    for (Vertx node : nodes) {
      sum += ClusterSupport.registrations(node).orElseThrow().lookups("room");
    }
    return sum;
  }

  @Test
  void peers_of_a_killed_node_leave_every_survivor_s_rooms_without_a_cluster_lookup_per_room() throws Exception {
    int p1 = TestNode.freePort();
    int p2 = TestNode.freePort();
    int p3 = TestNode.freePort();
    Map<String, String> env1 = env(p1, List.of(p2, p3));
    Map<String, String> env3 = env(p3, List.of(p1, p2));
    Vertx v1 = clustered(env1);
    Vertx v3 = clustered(env3);
    ExternalProcess doomed = null;
    List<TestClient> clients = new ArrayList<>();
    try (TestNode first = TestNode.start(v1, env1); TestNode third = TestNode.start(v3, env3)) {
      int httpPort = TestNode.freePort();
      Map<String, String> env2 = env(p2, List.of(p1, p3));
      env2.putAll(Map.of("SWITCHBOARD_HTTP_HOST", "127.0.0.1", "SWITCHBOARD_HTTP_PORT", String.valueOf(httpPort),
          "SWITCHBOARD_METRICS_ENABLED", "false"));
      ProcessBuilder builder = new ProcessBuilder(JavaProcess.command(Main.class)).redirectErrorStream(true);
      builder.environment().putAll(env2);
      doomed = ExternalProcess.start(builder); // its log is drained all along, so it never blocks on a full pipe
      doomed.awaitLine(line -> line.contains("is up"), "its banner", Duration.ofSeconds(90));

      List<TestClient> survivors = new ArrayList<>();
      List<String> deadMates = new ArrayList<>();
      for (int i = 0; i < ROOMS; i++) {
        String room = "reap-" + i;
        TestClient survivor = (i % 2 == 0 ? first : third).connect();
        clients.add(survivor);
        survivor.enter(room);
        TestClient mate = TestClient.connect(v1, httpPort, "/socket/websocket?vsn=2.0.0", Map.of());
        clients.add(mate);
        mate.enter(room);
        String mateId = mate.peerId();
        survivor.await(f -> "peer:joined".equals(f.getString(3)) && mateId.equals(f.getJsonObject(4).getString("peer_id")),
            "its room-mate on the doomed node joined");
        survivors.add(survivor);
        deadMates.add(mateId);
      }
      long lookupsBefore = roomLookups(v1, v3);

      doomed.kill(); // SIGKILL: both survivors race to reap, one of them wins every peer
      for (int i = 0; i < ROOMS; i++) {
        String mateId = deadMates.get(i);
        var left = survivors.get(i).await(f -> "peer:left".equals(f.getString(3)), "peer:left of its room-mate",
            Duration.ofSeconds(60));
        assertEquals(mateId, left.getJsonObject(4).getString("peer_id"), "the dead room-mate left");
        assertEquals("node_lost", left.getJsonObject(4).getString("reason"));
      }
      for (TestClient survivor : survivors) {
        survivor.expectSilence(Duration.ofMillis(300), f -> "peer:left".equals(f.getString(3)));
      }
      long lookups = roomLookups(v1, v3) - lookupsBefore;
      // the reaper never published to the other survivor's rooms: before, it looked up each of them (6 here)
      assertTrue(lookups < ROOMS / 2, "room subscribers looked up in the cluster to announce " + ROOMS
          + " departures: " + lookups);
    } finally {
      for (TestClient client : clients) {
        client.close();
      }
      if (doomed != null) {
        doomed.kill();
      }
      on(v3.close(), 20);
      on(v1.close(), 20);
    }
  }
}

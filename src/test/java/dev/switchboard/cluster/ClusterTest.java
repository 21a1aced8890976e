package dev.switchboard.cluster;

import dev.switchboard.Main;
import dev.switchboard.room.RegistryClient;
import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.JavaProcess;
import dev.switchboard.support.ClusteredNodes;
import dev.switchboard.support.RedisProcess;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes clustered with Hazelcast over loopback, rooms in a real redis-server. Each case may take up to a
 * minute per clustered Vert.x start (plus a JVM banner or three browsers), more than the 5-minute default.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ClusterTest {
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

  @Test
  void clients_on_two_nodes_exchange_signals_in_order_exactly_once_and_see_each_other_join() throws Exception {
    int p1 = TestNode.freePort();
    int p2 = TestNode.freePort();
    Map<String, String> env1 = env(p1, List.of(p2));
    Map<String, String> env2 = env(p2, List.of(p1));
    Vertx v1 = clustered(env1);
    Vertx v2 = clustered(env2);
    try (TestNode one = TestNode.start(v1, env1); TestNode two = TestNode.start(v2, env2);
         TestClient a = one.connect(); TestClient b = two.connect()) {
      a.enter("span");
      JsonObject joined = b.enter("span");
      assertEquals(new JsonArray().add(a.peerId()), joined.getJsonArray("peers"), "B, on node 2, sees A from node 1");
      assertEquals(b.peerId(), a.awaitEvent("room:span", "peer:joined").getJsonObject(4).getString("peer_id"));
      a.expectSilence(Duration.ofMillis(300), f -> "peer:joined".equals(f.getString(3)));

      String jr = a.joinRef("room:span");
      for (int i = 0; i < 200; i++) {
        a.sendAsync(new JsonArray().add(jr).add("c" + i).add("room:span").add("signal:candidate")
            .add(new JsonObject().put("to", b.peerId()).put("body", i)).encode());
      }
      for (int i = 0; i < 200; i++) {
        JsonArray candidate = b.awaitEvent("peer:" + b.peerId(), "signal:candidate");
        assertEquals(i, candidate.getJsonObject(4).getInteger("body"), "in order, once");
        assertEquals(a.peerId(), candidate.getJsonObject(4).getString("from"));
      }
      b.expectSilence(Duration.ofMillis(300), f -> f.getString(3).startsWith("signal:"));
      b.push(b.joinRef("room:span"), "room:span", "signal:answer", new JsonObject().put("to", a.peerId()).put("body", "ans"));
      assertEquals("ans", a.awaitEvent("peer:" + a.peerId(), "signal:answer").getJsonObject(4).getString("body"));
      a.expectSilence(Duration.ofMillis(300), f -> f.getString(3).startsWith("signal:"));

      // over everything each client ever received, not only what followed the frames awaited above
      assertEquals(IntStream.range(0, 200).boxed().toList(), b.history(f -> f.getString(3).startsWith("signal:")).stream()
          .map(f -> f.getJsonObject(4).getInteger("body")).toList(), "every candidate to B once, in order, nothing else");
      assertEquals(b.peerId(), a.assertOnce(TestClient.event("room:span", "peer:joined"), "B's peer:joined")
          .getJsonObject(4).getString("peer_id"));
      assertEquals(1, a.count(f -> f.getString(3).startsWith("signal:")), () -> "A got the answer alone: " + a.history());
    } finally {
      on(v2.close(), 20);
      on(v1.close(), 20);
    }
  }

  /**
   * protocol.md §7 across nodes: the resume lands on another node, which takes the session over through the
   * peer's cluster-wide address; its membership moves with it, so the old node's end takes nothing with it.
   */
  @Test
  void a_session_resumed_on_another_node_keeps_its_peer_id_and_outlives_the_node_it_left() throws Exception {
    int p1 = TestNode.freePort();
    int p2 = TestNode.freePort();
    Map<String, String> env1 = env(p1, List.of(p2));
    Map<String, String> env2 = env(p2, List.of(p1));
    Vertx v1 = clustered(env1);
    Vertx v2 = clustered(env2);
    try (TestNode two = TestNode.start(v2, env2); TestClient b = two.connect()) {
      String aId;
      TestNode one = TestNode.start(v1, env1);
      try (TestClient a = one.connect()) {
        String token = a.enter("move").getString("resume_token");
        aId = a.peerId();
        b.enter("move");
        // README's known limitation: B's room subscription reaches node 1 asynchronously; an event node 1
        // publishes within milliseconds of B's join may miss B. Not what this spec is about.
        Thread.sleep(500);
        a.drop();
        assertEquals("disconnected", b.awaitEvent("room:move", "peer:state").getJsonObject(4).getString("state"));
        for (int n = 0; n < 3; n++) {
          assertEquals("ok", b.push(b.joinRef("room:move"), "room:move", "signal:candidate",
              new JsonObject().put("to", aId).put("body", n)).getString("status"), "held on node 1 for the resume");
        }
        try (TestClient again = two.resume(token)) {
          JsonObject reply = again.join("room:move", new JsonObject());
          assertEquals("ok", reply.getString("status"), reply.encode());
          assertEquals(aId, reply.getJsonObject("response").getString("peer_id"), "the same peer, now on node 2");
          for (int n = 0; n < 3; n++) {
            assertEquals(n, again.await(TestClient.event("signal:candidate"), "held signal " + n)
                .getJsonObject(4).getInteger("body"), "held signals crossed over in order");
          }
          assertEquals("connected", b.awaitEvent("room:move", "peer:state").getJsonObject(4).getString("state"));

          // node 1 goes away: it no longer owns the peer, so nobody announces it gone
          one.close();
          on(v1.close(), 20);
          b.expectSilence(Duration.ofSeconds(5), TestClient.event("peer:left"));
          assertEquals(0, b.count(TestClient.event("peer:left")), () -> "no peer:left for the moved peer: " + b.history());
          assertEquals("ok", b.push(b.joinRef("room:move"), "room:move", "signal:candidate",
              new JsonObject().put("to", aId).put("body", 99)).getString("status"));
          assertEquals(99, again.await(TestClient.event("signal:candidate"), "live signal on node 2")
              .getJsonObject(4).getInteger("body"));
          List<String> members = on(new RegistryClient(v2.eventBus(), 5_000).members("move"), 10);
          assertEquals(List.of(aId, b.peerId()).stream().sorted().toList(), members.stream().sorted().toList(),
              "both still members in Redis");
        }
      }
    } finally {
      on(v2.close(), 20);
      v1.close(); // a second close is harmless
    }
  }

  @Test
  void a_killed_node_is_reaped_by_racing_survivors_each_peer_leaves_once_within_5_seconds() throws Exception {
    int p1 = TestNode.freePort();
    int p2 = TestNode.freePort();
    int p3 = TestNode.freePort();
    Map<String, String> env1 = env(p1, List.of(p2, p3));
    Map<String, String> env3 = env(p3, List.of(p1, p2));
    Vertx v1 = clustered(env1);
    Vertx v3 = clustered(env3);
    ExternalProcess other = null;
    try (TestNode first = TestNode.start(v1, env1); TestNode third = TestNode.start(v3, env3);
         TestClient a = first.connect(); TestClient c = third.connect()) {
      int httpPort = TestNode.freePort();
      Map<String, String> env2 = env(p2, List.of(p1, p3));
      env2.putAll(Map.of("SWITCHBOARD_HTTP_HOST", "127.0.0.1", "SWITCHBOARD_HTTP_PORT", String.valueOf(httpPort),
          "SWITCHBOARD_METRICS_ENABLED", "false"));
      ProcessBuilder builder = new ProcessBuilder(JavaProcess.command(Main.class)).redirectErrorStream(true);
      builder.environment().putAll(env2);
      other = ExternalProcess.start(builder); // its log is drained all along, so it never blocks on a full pipe
      other.awaitLine(line -> line.contains("is up"), "its banner", Duration.ofSeconds(90));

      a.enter("doomed");
      c.enter("doomed");
      try (TestClient b1 = TestClient.connect(v1, httpPort, "/socket/websocket?vsn=2.0.0", Map.of());
           TestClient b2 = TestClient.connect(v1, httpPort, "/socket/websocket?vsn=2.0.0", Map.of())) {
        b1.enter("doomed");
        b2.enter("doomed");
        for (TestClient survivor : List.of(a, c)) {
          survivor.await(f -> "peer:joined".equals(f.getString(3)) && b2.peerId().equals(f.getJsonObject(4).getString("peer_id")),
              "b2 joined");
        }
        long killedAt = System.nanoTime();
        other.kill(); // SIGKILL: no shutdown hook, no goodbye; both survivors race to reap
        for (TestClient survivor : List.of(a, c)) {
          List<String> gone = new ArrayList<>();
          while (gone.size() < 2) {
            JsonArray left = survivor.await(f -> "peer:left".equals(f.getString(3)), "peer:left",
                Duration.ofMillis(Math.max(1, 5000 - (System.nanoTime() - killedAt) / 1_000_000)));
            gone.add(left.getJsonObject(4).getString("peer_id"));
          }
          assertEquals(List.of(b1.peerId(), b2.peerId()).stream().sorted().toList(), gone.stream().sorted().toList(),
              "one peer:left per dead peer");
          survivor.expectSilence(Duration.ofMillis(500), f -> "peer:left".equals(f.getString(3)));
        }
        for (TestClient survivor : List.of(a, c)) {
          assertEquals(List.of(b1.peerId(), b2.peerId()).stream().sorted().toList(),
              survivor.history(TestClient.event("peer:left")).stream().map(f -> f.getJsonObject(4).getString("peer_id"))
                  .sorted().toList(), "over the whole run: one peer:left per dead peer, none for the living");
        }
        assertTrue((System.nanoTime() - killedAt) / 1_000_000 <= 5500, "reaped within 5 s");
        assertEquals(List.of(a.peerId(), c.peerId()).stream().sorted().toList(),
            on(new RegistryClient(v1.eventBus(), 2000).members("doomed"), 5).stream().sorted().toList(),
            "Redis holds no trace of the dead node's peers");
      }
    } finally {
      if (other != null) {
        other.kill();
      }
      on(v3.close(), 20);
      on(v1.close(), 20);
    }
  }

  @Test
  void during_a_redis_outage_joins_are_refused_signals_flow_and_membership_heals_afterwards() throws Exception {
    int p1 = TestNode.freePort();
    Map<String, String> env1 = env(p1, List.of());
    // C's lost socket is held for a resume (protocol.md §7) for 1 s, then leaves, while Redis is still down
    env1.put("SWITCHBOARD_SESSION_RESUME_SECONDS", "1");
    Vertx v1 = clustered(env1);
    try (TestNode node = TestNode.start(v1, env1); TestClient a = node.connect(); TestClient b = node.connect();
         TestClient c = node.connect(); TestClient d = node.connect()) {
      a.enter("outage");
      b.enter("outage");
      c.enter("outage");
      a.push(a.joinRef("room:outage"), "room:outage", "signal:offer", new JsonObject().put("to", b.peerId()).put("body", 0));
      b.awaitEvent("peer:" + b.peerId(), "signal:offer");

      redis.stop();
      JsonObject refused = d.join("room:outage", new JsonObject());
      assertEquals("registry_unavailable", refused.getJsonObject("response").getString("reason"));
      JsonObject relayed = a.push(a.joinRef("room:outage"), "room:outage", "signal:offer",
          new JsonObject().put("to", b.peerId()).put("body", 1));
      assertEquals("ok", relayed.getString("status"), "joined sockets keep signalling");
      assertEquals(1, b.awaitEvent("peer:" + b.peerId(), "signal:offer").getJsonObject(4).getInteger("body"));
      c.drop(); // leaves while Redis is down, when its resume window ends
      a.expectSilence(Duration.ofMillis(1500), f -> "peer:left".equals(f.getString(3)));

      redis.restart(); // empty: everything it knew is gone
      JsonArray left = a.await(f -> "peer:left".equals(f.getString(3)), "peer:left after recovery", Duration.ofSeconds(10));
      assertEquals(c.peerId(), left.getJsonObject(4).getString("peer_id"));
      a.expectSilence(Duration.ofMillis(500), f -> "peer:left".equals(f.getString(3)));
      assertEquals(List.of(left), a.history(TestClient.event("peer:left")), "C left once over the whole run, nobody else");
      RegistryClient registry = new RegistryClient(v1.eventBus(), 2000);
      assertEquals(List.of(a.peerId(), b.peerId()).stream().sorted().toList(),
          on(registry.members("outage"), 5).stream().sorted().toList(), "live members re-asserted, no ghost");
      JsonObject joinsAgain = d.join("room:outage", new JsonObject());
      assertEquals("ok", joinsAgain.getString("status"));
    } finally {
      on(v1.close(), 20);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void a_three_party_browser_call_spanning_both_nodes_connects() throws Exception {
    int p1 = TestNode.freePort();
    int p2 = TestNode.freePort();
    Map<String, String> env1 = env(p1, List.of(p2));
    Map<String, String> env2 = env(p2, List.of(p1));
    for (Map<String, String> env : List.of(env1, env2)) {
      env.put("SWITCHBOARD_TURN_RELAY_ENABLED", "true");
      env.put("SWITCHBOARD_TURN_SECRET", "span-secret");
    }
    Vertx v1 = clustered(env1);
    Vertx v2 = clustered(env2);
    List<org.openqa.selenium.chrome.ChromeDriver> browsers = new ArrayList<>();
    try (TestNode one = TestNode.start(v1, env1); TestNode two = TestNode.start(v2, env2)) {
      int n = 0;
      for (TestNode node : List.of(one, two, one)) {
        org.openqa.selenium.chrome.ChromeDriver browser = dev.switchboard.support.Chromium.start();
        browsers.add(browser);
        browser.get("http://127.0.0.1:" + node.port() + "/r/span?name=P" + (n++) + "&join=1&relay=1");
      }
      for (org.openqa.selenium.chrome.ChromeDriver browser : browsers) {
        long deadline = System.currentTimeMillis() + 30_000;
        List<Map<String, Object>> peers = List.of();
        while (System.currentTimeMillis() < deadline) {
          peers = (List<Map<String, Object>>) browser.executeAsyncScript(
              "window.switchboard ? window.switchboard.peers().then(arguments[0]) : arguments[0]([])");
          if (peers.size() == 2 && peers.stream().allMatch(p -> ((Number) p.get("framesDecoded")).longValue() > 0)) {
            break;
          }
          Thread.sleep(250);
        }
        assertEquals(2, peers.size(), String.valueOf(peers));
        assertTrue(peers.stream().allMatch(p -> ((Number) p.get("framesDecoded")).longValue() > 0),
            "video from both others, across nodes: " + peers);
      }
    } finally {
      browsers.forEach(org.openqa.selenium.chrome.ChromeDriver::quit);
      on(v2.close(), 20);
      on(v1.close(), 20);
    }
  }
}

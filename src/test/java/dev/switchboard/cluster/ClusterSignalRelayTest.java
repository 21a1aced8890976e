package dev.switchboard.cluster;

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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's signal relay across two clustered nodes: a target on the other node gets one bus request to
 * its address, and its sender's {@code ok} still means the target's socket took the signal.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterSignalRelayTest {
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
    Map<String, String> env = ClusteredNodes.env(redis.url(), hazelcastPort, members);
    env.put("SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND", "10000000");
    env.put("SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST", "10000000");
    return env;
  }

  private static Vertx clustered(Map<String, String> env) {
    return ClusteredNodes.start(bootstrap, env);
  }

  private static double path(TestNode node, String path) {
    io.micrometer.core.instrument.Counter counter = node.node().metrics().registry()
        .find("switchboard.signals.path").tag("path", path).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void a_signal_to_a_peer_on_the_other_node_is_ok_only_once_delivered_and_refused_once_it_left() throws Exception {
    int p1 = TestNode.freePort();
    int p2 = TestNode.freePort();
    Map<String, String> env1 = env(p1, List.of(p2));
    Map<String, String> env2 = env(p2, List.of(p1));
    Vertx v1 = clustered(env1);
    Vertx v2 = clustered(env2);
    try (TestNode one = TestNode.start(v1, env1); TestNode two = TestNode.start(v2, env2);
         TestClient a = one.connect(); TestClient b = two.connect()) {
      a.enter("span");
      b.enter("span");
      a.awaitEvent("room:span", "peer:joined");
      double busBefore = path(one, "bus");
      double registryBefore = path(one, "registry");
      String jr = a.joinRef("room:span");
      JsonObject first = a.push(jr, "room:span", "signal:offer", new JsonObject().put("to", b.peerId()).put("body", "w"));
      assertEquals("ok", first.getString("status"), first::encode);
      assertEquals("w", b.awaitEvent("peer:" + b.peerId(), "signal:offer").getJsonObject(4).getString("body"));
      assertEquals(registryBefore, path(one, "registry"), "node 1 knew b from its peer:joined");
      assertEquals(busBefore + 1, path(one, "bus"), "one bus request to b's address");
      // a flood racing b's leave: whatever the split, ok means it reached b's socket
      int signals = 400;
      for (int s = 0; s < signals; s++) {
        a.sendAsync(new JsonArray().add(jr).add("s" + s).add("room:span").add("signal:candidate")
            .add(new JsonObject().put("to", b.peerId()).put("body", s)).encode());
        if (s == signals / 2) {
          b.sendAsync(new JsonArray().add(b.joinRef("room:span")).add("leave").add("room:span").add("phx_leave")
              .add(new JsonObject()).encode());
        }
      }
      Set<Integer> acknowledged = new TreeSet<>();
      List<String> refusals = new ArrayList<>();
      while (acknowledged.size() + refusals.size() < signals) {
        JsonArray reply = a.await(f -> "phx_reply".equals(f.getString(3)) && f.getString(1).startsWith("s"),
            "signal replies", Duration.ofSeconds(30));
        if ("ok".equals(reply.getJsonObject(4).getString("status"))) {
          acknowledged.add(Integer.parseInt(reply.getString(1).substring(1)));
        } else {
          refusals.add(reply.getJsonObject(4).getJsonObject("response").getString("reason"));
        }
      }
      b.expectSilence(Duration.ofMillis(300), f -> false);
      List<Integer> received = b.history(TestClient.event("signal:candidate")).stream()
          .map(f -> f.getJsonObject(4).getInteger("body")).toList();
      assertEquals(new ArrayList<>(new TreeSet<>(received)), received, "in order, each once");
      assertEquals(acknowledged, new TreeSet<>(received), "ok exactly for what reached b's socket");
      for (String why : refusals) {
        assertEquals("unknown_peer", why, "refused only because b left");
      }

      if (a.count(TestClient.event("room:span", "peer:left")) == 0) { // the reply loop may have skipped it
        a.awaitEvent("room:span", "peer:left");
      }
      JsonObject late = a.push(jr, "room:span", "signal:offer", new JsonObject().put("to", b.peerId()).put("body", "x"));
      assertEquals("unknown_peer", late.getJsonObject("response").getString("reason"), late::encode);
      JsonObject rejoined = b.join("room:span", new JsonObject());
      assertEquals("ok", rejoined.getString("status"));
      a.awaitEvent("room:span", "peer:joined");
      JsonObject again = a.push(jr, "room:span", "signal:offer", new JsonObject().put("to", b.peerId()).put("body", "y"));
      assertEquals("ok", again.getString("status"));
      assertEquals("y", b.awaitEvent("peer:" + b.peerId(), "signal:offer").getJsonObject(4).getString("body"));
      System.out.printf("node 1 relayed %.0f signals over the bus and asked the registry %.0f times%n",
          path(one, "bus") - busBefore, path(one, "registry") - registryBefore);
    } finally {
      on(v2.close(), 20);
      on(v1.close(), 20);
    }
  }
}

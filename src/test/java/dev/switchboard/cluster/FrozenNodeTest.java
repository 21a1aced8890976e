package dev.switchboard.cluster;

import dev.switchboard.Main;
import dev.switchboard.support.JavaProcess;
import dev.switchboard.support.RedisProcess;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import dev.switchboard.support.UnixSignals;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A node frozen past the failure timeout (SIGSTOP for 10 s, as a VM stall or a long GC would) and then
 * resumed heals the cluster: two real node processes, a real redis-server, one raw Phoenix client on each.
 */
class FrozenNodeTest {
  private static final String ROOM = "frozen";
  private static final long FREEZE_MILLIS = 10_000;
  private static final long HEAL_BUDGET_MILLIS = 15_000;

  /**
   * Two singleton clusters merge by Hazelcast's tie-break on the masters' addresses: in every run the
   * member with the higher port merged into the other. Both ways are run: the frozen node merging into
   * the survivor's cluster, and the survivor merging into the frozen node's.
   */
  @ParameterizedTest(name = "frozen node has the lower Hazelcast port: {0}")
  @ValueSource(booleans = {false, true})
  void a_node_frozen_for_10_s_heals_within_15_s_clients_rejoin_signals_flow_and_redis_holds_only_live_members(
      boolean frozenNodeHasLowerPort) throws Exception {
    Vertx vertx = Vertx.vertx();
    List<ChildNode> children = new ArrayList<>();
    try (RedisProcess redis = RedisProcess.start()) {
      int pa = TestNode.freePort();
      int pb = TestNode.freePort();
      int hz1 = frozenNodeHasLowerPort ? Math.max(pa, pb) : Math.min(pa, pb);
      int hz2 = frozenNodeHasLowerPort ? Math.min(pa, pb) : Math.max(pa, pb);
      ChildNode one = ChildNode.start("node-1", env(redis, hz1, hz2));
      children.add(one);
      ChildNode two = ChildNode.start("node-2", env(redis, hz2, hz1));
      children.add(two);
      one.awaitUp();
      two.awaitUp();
      awaitReady(vertx, one, 60_000);
      awaitReady(vertx, two, 60_000);

      TestClient a = TestClient.connect(vertx, one.httpPort, "/socket/websocket?vsn=2.0.0", Map.of());
      TestClient b = TestClient.connect(vertx, two.httpPort, "/socket/websocket?vsn=2.0.0", Map.of());
      a.enter(ROOM);
      assertEquals(new JsonArray().add(a.peerId()), b.enter(ROOM).getJsonArray("peers"));
      a.await(joined(b.peerId()), "peer:joined of b");
      String oldB = b.peerId();

      // --- node 2 stands still; a keeps signalling its peer there
      UnixSignals.stop(two.pid());
      long frozenAt = System.nanoTime();
      List<JsonArray> framesOfA = new ArrayList<>();
      Map<String, Integer> sentDuringFreeze = new LinkedHashMap<>();
      int n = 0;
      while (millisSince(frozenAt) < FREEZE_MILLIS) {
        String ref = "f" + n;
        sentDuringFreeze.put(ref, n);
        a.sendAsync(new JsonArray().add(a.joinRef("room:" + ROOM)).add(ref).add("room:" + ROOM).add("signal:offer")
            .add(new JsonObject().put("to", oldB).put("body", n)).encode());
        n++;
        drain(a, framesOfA, 250);
      }
      UnixSignals.resume(two.pid());
      long resumedAt = System.nanoTime();

      // --- the resumed node closes its sockets with 1012; its client reconnects and rejoins as phoenix.js would
      short closeCode = b.awaitClose(Duration.ofSeconds(10));
      long closedAfter = millisSince(resumedAt);
      assertEquals(1012, closeCode, "service restart: the client reconnects");
      List<Integer> receivedByOldB = new ArrayList<>();
      for (JsonArray frame = b.poll(Duration.ZERO); frame != null; frame = b.poll(Duration.ZERO)) {
        if ("signal:offer".equals(frame.getString(3))) {
          receivedByOldB.add(frame.getJsonObject(4).getInteger("body"));
        }
      }
      b.close();

      List<Integer> refusedUpgrades = new ArrayList<>();
      TestClient newB = null;
      JsonObject rejoined = null;
      long admittedAfter = -1;
      while (rejoined == null && millisSince(resumedAt) < HEAL_BUDGET_MILLIS) {
        drain(a, framesOfA, 0);
        try {
          if (newB == null) {
            newB = TestClient.connect(vertx, two.httpPort, "/socket/websocket?vsn=2.0.0", Map.of());
            admittedAfter = millisSince(resumedAt);
          }
          rejoined = newB.enter(ROOM);
        } catch (Throwable refused) {
          UpgradeRejectedException rejected = causeOf(refused, UpgradeRejectedException.class);
          if (rejected != null) {
            refusedUpgrades.add(rejected.getStatus());
          } else if (newB != null) {
            newB.close(); // joined too early (e.g. registry answering slowly): reconnect as phoenix.js would
            newB = null;
          }
          Thread.sleep(250);
        }
      }
      assertNotNull(rejoined, "node 2's client did not get back into the room within " + HEAL_BUDGET_MILLIS
          + " ms of SIGCONT; upgrades refused with " + refusedUpgrades + "\nnode 2:\n" + two.log());
      long rejoinedAfter = millisSince(resumedAt);
      TestClient b2 = newB;
      assertFalse(refusedUpgrades.isEmpty(), "the healing node refused upgrades for a while");
      assertTrue(refusedUpgrades.stream().allMatch(status -> status == 503), "refused with 503: " + refusedUpgrades);
      assertEquals(new JsonArray().add(a.peerId()), rejoined.getJsonArray("peers"), "b sees a in its join reply");

      JsonArray joinedAgain = awaitFrame(a, framesOfA, joined(b2.peerId()), resumedAt, "a sees b's peer:joined");
      assertNotNull(joinedAgain);
      long seenAfter = millisSince(resumedAt);
      JsonObject offer = a.push(a.joinRef("room:" + ROOM), "room:" + ROOM, "signal:offer",
          new JsonObject().put("to", b2.peerId()).put("body", "after"));
      assertEquals("ok", offer.getString("status"), offer::encode);
      assertEquals("after", b2.awaitEvent("peer:" + b2.peerId(), "signal:offer").getJsonObject(4).getString("body"));
      JsonObject answer = b2.push(b2.joinRef("room:" + ROOM), "room:" + ROOM, "signal:answer",
          new JsonObject().put("to", a.peerId()).put("body", "back"));
      assertEquals("ok", answer.getString("status"), answer::encode);
      assertEquals("back", a.awaitEvent("peer:" + a.peerId(), "signal:answer").getJsonObject(4).getString("body"));
      long flowingAfter = millisSince(resumedAt);
      assertTrue(flowingAfter <= HEAL_BUDGET_MILLIS, "healed and signalling after " + flowingAfter + " ms");

      RedisAPI api = RedisAPI.api(Redis.createClient(vertx, new RedisOptions().setConnectionString(redis.url())));
      assertEquals(new TreeSet<>(List.of(a.peerId(), b2.peerId())),
          new TreeSet<>(on(api.zrange(List.of("sb:room:" + ROOM + ":members", "0", "-1")), 5).stream()
              .map(Object::toString).toList()), "Redis holds exactly the live members");
      awaitReady(vertx, one, 10_000);
      awaitReady(vertx, two, 10_000);
      System.out.printf("frozen-node figures (frozen node has the lower port: %s): socket closed %d ms after SIGCONT, %d upgrades refused (503), "
              + "admitted after %d ms, rejoined after %d ms, peer:joined seen after %d ms, signals both ways after %d ms, "
              + "both /ready 200 after %d ms%n", frozenNodeHasLowerPort, closedAfter, refusedUpgrades.size(), admittedAfter, rejoinedAfter,
          seenAfter, flowingAfter, millisSince(resumedAt));
      System.out.println("node-1 cluster log:\n" + one.log(FrozenNodeTest::clusterLine));
      System.out.println("node-2 cluster log:\n" + two.log(FrozenNodeTest::clusterLine));

      // --- what a was told during the freeze must be true: a signal answered ok reached its target once.
      // Holds only where the registry answers ok after the target's socket got the frame (delivery
      // confirmed); while ok means "sent on the event bus", signals to a frozen node are answered ok and lost.
      Map<String, String> replies = new HashMap<>();
      for (JsonArray frame : framesOfA) {
        if ("phx_reply".equals(frame.getString(3)) && sentDuringFreeze.containsKey(frame.getString(1))) {
          replies.put(frame.getString(1), frame.getJsonObject(4).getString("status"));
        }
      }
      List<Integer> answeredOk = sentDuringFreeze.entrySet().stream()
          .filter(e -> "ok".equals(replies.get(e.getKey()))).map(Map.Entry::getValue).toList();
      System.out.printf("during the freeze: %d signals sent, %d answered ok %s, %d answered otherwise, %d unanswered; "
              + "the frozen peer received %s%n", sentDuringFreeze.size(), answeredOk.size(), answeredOk,
          replies.values().stream().filter(s -> !"ok".equals(s)).count(), sentDuringFreeze.size() - replies.size(),
          receivedByOldB);
      for (int body : answeredOk) {
        assertEquals(1, Collections.frequency(receivedByOldB, body),
            "signal " + body + " was answered ok, so its target must have received it exactly once; received: "
                + receivedByOldB + ", answered ok: " + answeredOk);
      }
      assertEquals(receivedByOldB.size(), Set.copyOf(receivedByOldB).size(), "no signal twice: " + receivedByOldB);
      a.close();
      b2.close();
    } finally {
      for (ChildNode child : children) {
        child.close();
      }
      on(vertx.close(), 10);
    }
  }

  private static boolean clusterLine(String line) {
    String l = line.toLowerCase();
    return l.contains("heal") || l.contains("merge") || l.contains("stood still") || l.contains("left")
        || l.contains("reaped") || l.contains("members {") || l.contains("member [");
  }

  private static Predicate<JsonArray> joined(String peerId) {
    return f -> "peer:joined".equals(f.getString(3)) && peerId.equals(f.getJsonObject(4).getString("peer_id"));
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  /** Keeps every frame of the client for a while (a push would skip frames it does not wait for). */
  private static void drain(TestClient client, List<JsonArray> into, long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    do {
      JsonArray frame = client.poll(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (frame == null) {
        return;
      }
      into.add(frame);
    } while (true);
  }

  private static JsonArray awaitFrame(TestClient client, List<JsonArray> kept, Predicate<JsonArray> match,
                                      long since, String what) {
    while (millisSince(since) < HEAL_BUDGET_MILLIS) {
      for (JsonArray frame : kept) {
        if (match.test(frame)) {
          return frame;
        }
      }
      drain(client, kept, 100);
    }
    return fail(what + " within " + HEAL_BUDGET_MILLIS + " ms of SIGCONT; frames: " + kept);
  }

  private static <T extends Throwable> T causeOf(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** Waits for GET /ready to answer 200. */
  private static void awaitReady(Vertx vertx, ChildNode node, long timeoutMillis) throws InterruptedException {
    long start = System.nanoTime();
    HttpClient http = vertx.createHttpClient();
    String last = "";
    try {
      while (millisSince(start) < timeoutMillis) {
        try {
          Map.Entry<Integer, String> ready = on(http.request(HttpMethod.GET, node.httpPort, "127.0.0.1", "/ready")
              .compose(r -> r.send()).compose(r -> r.body().map(body -> Map.entry(r.statusCode(), body.toString()))), 5);
          if (ready.getKey() == 200) {
            return;
          }
          last = ready.getKey() + " " + ready.getValue();
        } catch (RuntimeException | AssertionError notYet) {
          last = String.valueOf(notYet.getMessage());
        }
        Thread.sleep(200);
      }
    } finally {
      http.close();
    }
    fail(node.name + " not ready within " + timeoutMillis + " ms, last: " + last + "\n" + node.log());
  }

  private static Map<String, String> env(RedisProcess redis, int hazelcastPort, int otherHazelcastPort) {
    Map<String, String> env = new HashMap<>();
    env.put("SWITCHBOARD_CLUSTER_ENABLED", "true");
    env.put("SWITCHBOARD_CLUSTER_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_CLUSTER_PORT", String.valueOf(hazelcastPort));
    env.put("SWITCHBOARD_CLUSTER_MEMBERS", "127.0.0.1:" + hazelcastPort + ",127.0.0.1:" + otherHazelcastPort);
    env.put("SWITCHBOARD_REDIS_URL", redis.url());
    env.put("SWITCHBOARD_TURN_RELAY_ENABLED", "false");
    env.put("SWITCHBOARD_MEDIA_ENABLED", "false"); // signaling only; several nodes on one host
    env.put("SWITCHBOARD_METRICS_ENABLED", "false");
    env.put("SWITCHBOARD_HTTP_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_HTTP_PORT", String.valueOf(TestNode.freePort()));
    env.put("SWITCHBOARD_HTTP_INSTANCES", "1");
    return env;
  }

  /** A node in its own JVM (so it can be frozen), its output read as it comes, killed at the end. */
  private static final class ChildNode implements AutoCloseable {
    private final String name;
    private final Process process;
    private final int httpPort;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch up = new CountDownLatch(1);

    private ChildNode(String name, Process process, int httpPort) {
      this.name = name;
      this.process = process;
      this.httpPort = httpPort;
    }

    static ChildNode start(String name, Map<String, String> env) throws IOException {
      ProcessBuilder builder = new ProcessBuilder(JavaProcess.command(Main.class)).redirectErrorStream(true);
      builder.environment().putAll(env);
      ChildNode node = new ChildNode(name, builder.start(), Integer.parseInt(env.get("SWITCHBOARD_HTTP_PORT")));
      Thread reader = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.process.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line = out.readLine(); line != null; line = out.readLine()) {
            node.lines.add(line);
            if (line.contains("is up")) {
              node.up.countDown();
            }
          }
        } catch (IOException ignored) {
          // the process is gone
        }
      }, name + "-output");
      reader.setDaemon(true);
      reader.start();
      return node;
    }

    void awaitUp() throws InterruptedException {
      assertTrue(up.await(90, TimeUnit.SECONDS) && process.isAlive(), name + " did not start:\n" + log());
    }

    long pid() {
      return process.pid();
    }

    String log() {
      return log(line -> true);
    }

    String log(Predicate<String> keep) {
      synchronized (lines) {
        return String.join("\n", lines.stream().filter(keep).toList());
      }
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        UnixSignals.resume(process.pid()); // a frozen process would not act on anything but SIGKILL
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}

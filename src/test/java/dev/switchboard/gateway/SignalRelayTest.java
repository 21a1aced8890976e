package dev.switchboard.gateway;

import dev.switchboard.auth.TestTokens;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay of a signal at the gateway, which knows who is in its rooms: a signal goes to a peer that left,
 * rejoined, or sits in another room exactly as the registry would have it go, whichever path it takes.
 * Two gateway instances, so that consecutive sockets land on different event loops (a delivery across
 * instances) as well as on the same one.
 */
@ExtendWith(VertxExtension.class)
@Timeout(120)
class SignalRelayTest {
  private static final Map<String, String> TWO_INSTANCES = Map.of("SWITCHBOARD_HTTP_INSTANCES", "2",
      "SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND", "10000000",
      "SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST", "10000000");
  /** Clients and node share two cores here; this bounds a stall, it is not a speed target. */
  private static final Duration LOAD_WAIT = Duration.ofSeconds(60);

  private static JsonObject signal(TestClient from, String room, String to, Object body) {
    String topic = "room:" + room;
    return from.push(from.joinRef(topic), topic, "signal:offer", new JsonObject().put("to", to).put("body", body));
  }

  /** How many signals left this node's gateways on a path: direct, bus or registry. */
  static double path(TestNode node, String path) {
    io.micrometer.core.instrument.Counter counter = node.node().metrics().registry()
        .find("switchboard.signals.path").tag("path", path).counter();
    return counter == null ? 0 : counter.count();
  }

  private static String reason(JsonObject reply) {
    return reply.getJsonObject("response").getString("reason");
  }

  private static JsonObject leave(TestClient client, String room) {
    String topic = "room:" + room;
    return client.push(client.joinRef(topic), topic, "phx_leave", new JsonObject());
  }

  /** Joins the room topic again (the peer topic stays joined), as a client does after a leave. */
  private static void rejoin(TestClient client, String room) {
    JsonObject reply = client.join("room:" + room, new JsonObject());
    assertEquals("ok", reply.getString("status"), reply::encode);
  }

  @Test
  void signals_between_members_the_gateway_knows_are_written_directly_without_asking_the_registry(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TWO_INSTANCES); TestClient a = node.connect();
         TestClient b = node.connect(); TestClient c = node.connect()) {
      a.enter("known");
      b.enter("known");
      c.enter("known");
      a.awaitEvent("room:known", "peer:joined");
      a.awaitEvent("room:known", "peer:joined");
      b.awaitEvent("room:known", "peer:joined");
      double registryBefore = path(node, "registry");
      double directBefore = path(node, "direct");
      // b and c learned a from their join replies, a learned them from peer:joined; each pair in both directions
      for (TestClient from : List.of(a, b, c)) {
        for (TestClient to : List.of(a, b, c)) {
          if (from != to) {
            assertEquals("ok", signal(from, "known", to.peerId(), "hi").getString("status"));
          }
        }
      }
      assertEquals(registryBefore, path(node, "registry"), "the registry was not asked");
      assertEquals(directBefore + 6, path(node, "direct"));
      for (TestClient to : List.of(a, b, c)) {
        assertEquals(2, to.count(TestClient.event("peer:" + to.peerId(), "signal:offer")), () -> to.history().toString());
      }
    }
  }

  @Test
  void a_signal_to_a_peer_that_left_a_moment_ago_is_refused_and_never_acknowledged(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TWO_INSTANCES); TestClient a = node.connect();
         TestClient b = node.connect(); TestClient c = node.connect()) {
      a.enter("r1");
      b.enter("r1");
      c.enter("r1");
      // a warm pair: the signal path knows b before it leaves
      assertEquals("ok", signal(a, "r1", b.peerId(), "before").getString("status"));
      assertEquals("ok", signal(c, "r1", b.peerId(), "before").getString("status"));
      assertEquals("ok", leave(b, "r1").getString("status"));
      // once a sender saw b go, nothing it sends to b is ok'd (a and c sit on different gateway instances)
      a.awaitEvent("room:r1", "peer:left");
      c.awaitEvent("room:r1", "peer:left");
      JsonObject fromA = signal(a, "r1", b.peerId(), "after");
      JsonObject fromC = signal(c, "r1", b.peerId(), "after");
      assertEquals("error", fromA.getString("status"), fromA::encode);
      assertEquals("unknown_peer", reason(fromA));
      assertEquals("error", fromC.getString("status"), fromC::encode);
      assertEquals("unknown_peer", reason(fromC));
      b.expectSilence(Duration.ofMillis(200), TestClient.event("signal:offer").and(f -> "after".equals(
          f.getJsonObject(4).getValue("body"))));
      assertEquals(2, b.count(TestClient.event("signal:offer")), "only the two signals sent before the leave");
    }
  }

  @Test
  void a_signal_racing_a_leave_is_acknowledged_only_if_it_reached_the_peer(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TWO_INSTANCES); TestClient a = node.connect();
         TestClient b = node.connect()) {
      a.enter("race");
      b.enter("race");
      int signals = 400;
      for (int s = 0; s < signals; s++) {
        sendSignal(a, "race", b.peerId(), s);
        if (s == signals / 2) {
          b.sendAsync(new JsonArray().add(b.joinRef("room:race")).add("leave").add("room:race").add("phx_leave")
              .add(new JsonObject()).encode());
        }
      }
      Set<Integer> acknowledged = awaitReplies(a, signals).acknowledged;
      Set<Integer> received = new TreeSet<>(receivedSeqs(b));
      assertEquals(acknowledged, received, "ok exactly for the signals b received");
      assertTrue(received.size() < signals, "the leave refused the signals after it");
    }
  }

  @Test
  void a_signal_to_a_peer_an_admin_just_removed_is_refused_even_before_its_peer_left_arrives(Vertx vertx) {
    String secret = "relay-secret-of-at-least-32-bytes-00001";
    Map<String, String> env = new HashMap<>(TWO_INSTANCES);
    env.put("SWITCHBOARD_AUTH_MODE", "token");
    env.put("SWITCHBOARD_AUTH_KEYS", "k1:" + secret);
    long now = System.currentTimeMillis() / 1000;
    java.util.function.Function<JsonObject, String> token = claims -> TestTokens.hs256(TestTokens.header("HS256", "k1"),
        claims.put("room", "r1").put("iat", now).put("exp", now + 600), secret);
    try (TestNode node = TestNode.start(vertx, env);
         TestClient admin = node.connect(token.apply(new JsonObject().put("sub", "host").put("admin", true)));
         TestClient b = node.connect(token.apply(new JsonObject().put("sub", "bob")))) {
      admin.enter("r1");
      b.enter("r1");
      assertEquals("ok", signal(admin, "r1", b.peerId(), "before").getString("status"));
      JsonObject removed = admin.push(admin.joinRef("room:r1"), "room:r1", "admin:remove",
          new JsonObject().put("peer_id", b.peerId()));
      assertEquals("ok", removed.getString("status"), removed::encode);
      JsonObject after = signal(admin, "r1", b.peerId(), "after");
      assertEquals("error", after.getString("status"), after::encode);
      assertEquals(0, b.count(TestClient.event("signal:offer").and(f -> "after".equals(f.getJsonObject(4)
          .getValue("body")))));
    }
  }

  @Test
  void a_signal_after_the_target_rejoined_is_delivered_once(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TWO_INSTANCES); TestClient a = node.connect();
         TestClient b = node.connect()) {
      a.enter("r1");
      b.enter("r1");
      assertEquals("ok", signal(a, "r1", b.peerId(), "first").getString("status"));
      assertEquals("ok", leave(b, "r1").getString("status"));
      a.awaitEvent("room:r1", "peer:left");
      assertEquals("unknown_peer", reason(signal(a, "r1", b.peerId(), "gone")));
      rejoin(b, "r1");
      a.awaitEvent("room:r1", "peer:joined");
      assertEquals("ok", signal(a, "r1", b.peerId(), "again").getString("status"));
      assertEquals("again", b.await(TestClient.event("signal:offer").and(f -> "again".equals(
          f.getJsonObject(4).getValue("body"))), "the signal after the rejoin").getJsonObject(4).getValue("body"));
      b.expectSilence(Duration.ofMillis(200), TestClient.event("signal:offer"));
      assertEquals(1, b.count(TestClient.event("signal:offer").and(f -> "again".equals(f.getJsonObject(4)
          .getValue("body")))), "once");
      assertEquals(0, b.count(TestClient.event("signal:offer").and(f -> "gone".equals(f.getJsonObject(4)
          .getValue("body")))), "the refused one never arrives");
    }
  }

  @Test
  void a_thousand_signals_keep_their_order_while_the_target_leaves_and_rejoins_in_the_middle(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TWO_INSTANCES); TestClient a = node.connect();
         TestClient b = node.connect(); TestClient c = node.connect()) {
      a.enter("flood");
      b.enter("flood");
      c.enter("flood");
      int signals = 1000;
      for (int s = 0; s < signals; s++) {
        sendSignal(a, "flood", b.peerId(), s);
        if (s == 300) {
          // someone else leaves: the room's membership changes under the flood
          c.sendAsync(new JsonArray().add(c.joinRef("room:flood")).add("leave").add("room:flood").add("phx_leave")
              .add(new JsonObject()).encode());
        }
        if (s == 500) {
          b.sendAsync(new JsonArray().add(b.joinRef("room:flood")).add("leave").add("room:flood").add("phx_leave")
              .add(new JsonObject()).encode());
          b.sendAsync(new JsonArray().add("rejoin").add("rejoin").add("room:flood").add("phx_join")
              .add(new JsonObject()).encode());
        }
      }
      Replies replies = awaitReplies(a, signals);
      List<Integer> received = receivedSeqs(b);
      List<Integer> sorted = new ArrayList<>(new TreeSet<>(received));
      assertEquals(sorted, received, "in the order sent, each once");
      assertEquals(replies.acknowledged, new TreeSet<>(received), "ok exactly for what b received");
      assertTrue(received.contains(signals - 1), "b is back in the room: the last signal arrives");
      assertEquals(signals, replies.acknowledged.size() + replies.refused.size());
      for (String why : replies.refused.values()) {
        assertEquals("unknown_peer", why, "only refused while b was out of the room");
      }
    }
  }

  @Test
  void a_signal_is_relayed_only_within_the_room_it_was_sent_on(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TWO_INSTANCES); TestClient a = node.connect();
         TestClient b = node.connect()) {
      a.enter("one");
      a.join("room:two", new JsonObject());
      b.enter("two");
      // a and b share room two only
      JsonObject wrongRoom = signal(a, "one", b.peerId(), "via-one");
      assertEquals("error", wrongRoom.getString("status"), wrongRoom::encode);
      assertEquals("unknown_peer", reason(wrongRoom));
      assertEquals("ok", signal(a, "two", b.peerId(), "via-two").getString("status"));
      assertEquals("via-two", b.awaitEvent("peer:" + b.peerId(), "signal:offer").getJsonObject(4).getValue("body"));
      // and again, now that the pair is warm on room two
      assertEquals("unknown_peer", reason(signal(a, "one", b.peerId(), "via-one-again")));
      b.expectSilence(Duration.ofMillis(200), TestClient.event("signal:offer"));
      assertEquals(1, b.count(TestClient.event("signal:offer")));
    }
  }

  private static void sendSignal(TestClient from, String room, String to, int seq) {
    String topic = "room:" + room;
    from.sendAsync(new JsonArray().add(from.joinRef(topic)).add("s" + seq).add(topic).add("signal:candidate")
        .add(new JsonObject().put("to", to).put("body", new JsonObject().put("seq", seq))).encode());
  }

  private record Replies(Set<Integer> acknowledged, Map<Integer, String> refused) {
  }

  private static Replies awaitReplies(TestClient sender, int signals) {
    Set<Integer> acknowledged = new TreeSet<>();
    Map<Integer, String> refused = new HashMap<>();
    while (acknowledged.size() + refused.size() < signals) {
      JsonArray frame = sender.await(f -> "phx_reply".equals(f.getString(3)) && f.getString(1) != null
          && f.getString(1).startsWith("s"), "signal replies", LOAD_WAIT);
      int seq = Integer.parseInt(frame.getString(1).substring(1));
      JsonObject reply = frame.getJsonObject(4);
      if ("ok".equals(reply.getString("status"))) {
        assertTrue(acknowledged.add(seq), "one reply per signal");
      } else {
        assertTrue(refused.put(seq, reply.getJsonObject("response").getString("reason")) == null);
      }
    }
    return new Replies(acknowledged, refused);
  }

  /** The sequence numbers of every candidate the client received, in arrival order (after a pause for stragglers). */
  private static List<Integer> receivedSeqs(TestClient target) {
    target.expectSilence(Duration.ofMillis(300), f -> false);
    List<Integer> seqs = new ArrayList<>();
    for (JsonArray frame : target.history(TestClient.event("signal:candidate"))) {
      seqs.add(frame.getJsonObject(4).getJsonObject("body").getInteger("seq"));
    }
    return seqs;
  }
}

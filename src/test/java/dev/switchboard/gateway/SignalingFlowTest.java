package dev.switchboard.gateway;

import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import dev.switchboard.turn.CredentialUser;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The signaling app of protocol.md §3 on a real node. */
@ExtendWith(VertxExtension.class)
class SignalingFlowTest {
  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx);
  }

  @AfterEach
  void stop() {
    node.stop();
  }

  @Test
  void join_reply_names_the_caller_and_the_peers_already_there_then_room_peers_then_peer_joined_to_others() {
    try (TestClient a = node.connect(); TestClient b = node.connect()) {
      JsonObject first = a.enter("r1");
      assertEquals(new JsonArray(), first.getJsonArray("peers"));
      JsonObject turn = first.getJsonArray("ice_servers").getJsonObject(1);
      assertEquals(first.getString("peer_id"), CredentialUser.parse(turn.getString("username")).peerId(), turn::encode);
      assertTrue(turn.getJsonArray("urls").getString(0).startsWith("turn:127.0.0.1:"), turn::encode);
      JsonObject second = b.enter("r1");
      assertEquals(new JsonArray().add(a.peerId()), second.getJsonArray("peers"));
      assertNotEquals(a.peerId(), b.peerId());
      assertEquals(b.peerId(), a.awaitEvent("room:r1", "peer:joined").getJsonObject(4).getString("peer_id"));
      b.expectSilence(Duration.ofMillis(300), f -> "peer:joined".equals(f.getString(3)));
    }
  }

  @Test
  void peer_ids_are_unique_and_carry_at_least_96_random_bits() {
    int count = 10_000;
    Set<String> ids = new HashSet<>();
    int[] ones = new int[128];
    for (int i = 0; i < count; i++) {
      String id = PeerIds.next();
      assertEquals(22, id.length(), id);
      assertTrue(id.matches("[A-Za-z0-9_-]+"), () -> "URL-safe base64 alphabet, no padding: " + id);
      byte[] bytes = Base64.getUrlDecoder().decode(id);
      assertEquals(16, bytes.length, id);
      assertEquals(id, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes),
          () -> "canonical: the 4 bits past the 128 are zero in " + id);
      for (int bit = 0; bit < 128; bit++) {
        ones[bit] += (bytes[bit / 8] >> (7 - bit % 8)) & 1;
      }
      assertTrue(ids.add(id), () -> "duplicate id " + id);
    }
    assertEquals(count, ids.size());
    // each of the 128 bits is a fair coin: set in 50 % of the ids give or take 5 % (10 standard deviations),
    // so no bit is fixed or biased, well beyond the 96 random bits required
    for (int bit = 0; bit < 128; bit++) {
      int index = bit;
      assertTrue(ones[bit] > count * 45 / 100 && ones[bit] < count * 55 / 100,
          () -> "bit " + index + " set in " + ones[index] + " of " + count + " ids: " + Arrays.toString(ones));
    }
  }

  @Test
  void offer_and_answer_reach_the_target_on_its_peer_topic_with_the_sender_id_and_the_body_untouched() {
    try (TestClient a = node.connect(); TestClient b = node.connect()) {
      a.enter("r1");
      b.enter("r1");
      JsonObject sdp = new JsonObject().put("type", "offer").put("sdp", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n")
          .put("nested", new JsonArray().add(1).add(new JsonObject().put("x", (Object) null)));
      JsonObject reply = a.push(a.joinRef("room:r1"), "room:r1", "signal:offer",
          new JsonObject().put("to", b.peerId()).put("body", sdp));
      assertEquals("ok", reply.getString("status"));
      JsonArray offer = b.awaitEvent("peer:" + b.peerId(), "signal:offer");
      assertEquals(new JsonArray().addNull().addNull().add("peer:" + b.peerId()).add("signal:offer")
          .add(new JsonObject().put("from", a.peerId()).put("body", sdp)), offer);

      b.push(b.joinRef("room:r1"), "room:r1", "signal:answer", new JsonObject().put("to", a.peerId()).put("body", "ans"));
      assertEquals("ans", a.awaitEvent("peer:" + a.peerId(), "signal:answer").getJsonObject(4).getString("body"));
    }
  }

  @Test
  void a_target_that_has_not_joined_its_peer_topic_gets_signals_on_the_shared_room_topic() {
    try (TestClient a = node.connect(); TestClient b = node.connect()) {
      a.enter("r1");
      JsonObject joined = b.join("room:r1", new JsonObject());
      String bId = joined.getJsonObject("response").getString("peer_id");
      a.push(a.joinRef("room:r1"), "room:r1", "signal:candidate",
          new JsonObject().put("to", bId).put("body", new JsonObject().put("candidate", "c1")));
      JsonArray delivered = b.awaitEvent("room:r1", "signal:candidate");
      assertEquals(a.peerId(), delivered.getJsonObject(4).getString("from"));
    }
  }

  @Test
  void joining_another_peers_topic_is_refused_as_unauthorized() {
    try (TestClient a = node.connect(); TestClient b = node.connect()) {
      a.enter("r1");
      b.enter("r1");
      JsonObject reply = b.join("peer:" + a.peerId(), new JsonObject());
      assertEquals("unauthorized", reply.getJsonObject("response").getString("reason"));
    }
  }

  @Test
  void a_signal_to_a_stranger_is_refused_with_unknown_peer_and_delivered_nowhere() {
    try (TestClient a = node.connect(); TestClient b = node.connect(); TestClient c = node.connect()) {
      a.enter("r1");
      b.enter("r1");
      c.enter("other");
      JsonObject reply = a.push(a.joinRef("room:r1"), "room:r1", "signal:offer",
          new JsonObject().put("to", c.peerId()).put("body", "x"));
      assertEquals("unknown_peer", reply.getJsonObject("response").getString("reason"));
      JsonObject nobody = a.push(a.joinRef("room:r1"), "room:r1", "signal:offer",
          new JsonObject().put("to", "no-such-peer").put("body", "x"));
      assertEquals("unknown_peer", nobody.getJsonObject("response").getString("reason"));
      c.expectSilence(Duration.ofMillis(300), f -> f.getString(3).startsWith("signal:"));
      b.expectSilence(Duration.ofMillis(100), f -> f.getString(3).startsWith("signal:"));
    }
  }

  @Test
  void a_peer_never_receives_a_signal_meant_for_another() {
    try (TestClient a = node.connect(); TestClient b = node.connect(); TestClient c = node.connect()) {
      a.enter("r1");
      b.enter("r1");
      c.enter("r1");
      a.push(a.joinRef("room:r1"), "room:r1", "signal:offer", new JsonObject().put("to", b.peerId()).put("body", 1));
      b.awaitEvent("peer:" + b.peerId(), "signal:offer");
      c.expectSilence(Duration.ofMillis(300), f -> f.getString(3).startsWith("signal:"));
    }
  }

  @Test
  void bad_pushes_each_get_an_error_reply() {
    try (TestClient a = node.connect()) {
      a.enter("r1");
      String jr = a.joinRef("room:r1");
      assertEquals("unknown_event", reason(a.push(jr, "room:r1", "chat", new JsonObject())));
      assertEquals("unknown_event", reason(a.push(jr, "room:r1", "signal:", new JsonObject().put("to", "x"))));
      assertEquals("invalid_signal", reason(a.push(jr, "room:r1", "signal:offer", new JsonObject())));
      assertEquals("invalid_signal", reason(a.push(jr, "room:r1", "signal:offer", new JsonObject().put("to", 42))));
      assertEquals("unknown_event", reason(a.push(a.joinRef("peer:" + a.peerId()), "peer:" + a.peerId(), "signal:offer",
          new JsonObject().put("to", a.peerId()))));
    }
  }

  @Test
  void invalid_room_ids_are_refused() {
    try (TestClient a = node.connect()) {
      assertEquals("invalid_room", reason(a.join("room:", new JsonObject())));
      assertEquals("invalid_room", reason(a.join("room:has space", new JsonObject())));
      assertEquals("invalid_room", reason(a.join("room:" + "x".repeat(65), new JsonObject())));
      assertEquals("ok", a.join("room:" + "x".repeat(64), new JsonObject()).getString("status"));
    }
  }

  @Test
  void the_seventh_peer_of_a_mesh_room_is_refused_with_room_full_and_the_room_is_unchanged() {
    List<TestClient> clients = new ArrayList<>();
    Vertx own = Vertx.vertx();
    try (TestNode node = TestNode.start(own, Map.of("SWITCHBOARD_ROOMS_TOPOLOGY", "mesh"))) {
      for (int i = 0; i < 6; i++) {
        TestClient client = node.connect();
        clients.add(client);
        client.enter("full");
      }
      TestClient seventh = node.connect();
      clients.add(seventh);
      assertEquals("room_full", reason(seventh.join("room:full", new JsonObject())));
      clients.get(0).expectSilence(Duration.ofMillis(300), f -> "peer:joined".equals(f.getString(3))
          && !clients.subList(1, 6).stream().map(TestClient::peerId).toList()
          .contains(f.getJsonObject(4).getString("peer_id")));
    } finally {
      clients.forEach(TestClient::close);
      own.close();
    }
  }

  @Test
  void an_sfu_room_takes_max_peers_and_a_mesh_room_mesh_max_peers() {
    Map<String, String> caps = Map.of("SWITCHBOARD_ROOMS_MAX_PEERS", "3", "SWITCHBOARD_ROOMS_MESH_MAX_PEERS", "2");
    assertEquals(3, admittedOf(5, caps), "sfu rooms (the default)");
    Map<String, String> mesh = new java.util.HashMap<>(caps);
    mesh.put("SWITCHBOARD_ROOMS_TOPOLOGY", "mesh");
    assertEquals(2, admittedOf(5, mesh), "mesh rooms");
  }

  /** How many of {@code joining} peers one room of a fresh node admits; the others are refused room_full. */
  private static int admittedOf(int joining, Map<String, String> env) {
    Vertx own = Vertx.vertx(); // a node of its own: nodes on one Vertx would share one registry
    List<TestClient> clients = new ArrayList<>();
    try (TestNode node = TestNode.start(own, env)) {
      int admitted = 0;
      for (int i = 0; i < joining; i++) {
        TestClient client = node.connect();
        clients.add(client);
        JsonObject reply = client.join("room:r", new JsonObject());
        if ("ok".equals(reply.getString("status"))) {
          admitted++;
        } else {
          assertEquals("room_full", reason(reply));
        }
      }
      return admitted;
    } finally {
      clients.forEach(TestClient::close);
      own.close();
    }
  }

  @Test
  void max_peers_per_room_is_configurable() {
    Vertx vertx = Vertx.vertx();
    try (TestNode small = TestNode.start(vertx, Map.of("SWITCHBOARD_ROOMS_MAX_PEERS", "2"));
         TestClient a = small.connect(); TestClient b = small.connect(); TestClient c = small.connect()) {
      a.enter("r");
      b.enter("r");
      assertEquals("room_full", reason(c.join("room:r", new JsonObject())));
    } finally {
      vertx.close();
    }
  }

  private static String reason(JsonObject reply) {
    assertEquals("error", reply.getString("status"), reply::encode);
    return reply.getJsonObject("response").getString("reason");
  }
}

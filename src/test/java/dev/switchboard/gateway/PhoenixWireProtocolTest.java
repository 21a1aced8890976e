package dev.switchboard.gateway;

import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every row of protocol.md §2 (and §1's transport rules) against a real node and a raw WebSocket. */
@ExtendWith(VertxExtension.class)
class PhoenixWireProtocolTest {
  private Vertx vertx;
  private TestNode node;

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    node = TestNode.start(vertx);
  }

  @AfterEach
  void stop() {
    node.stop();
  }

  private static JsonObject ok(JsonObject response) {
    return new JsonObject().put("status", "ok").put("response", response);
  }

  private static JsonObject error(String reason) {
    return new JsonObject().put("status", "error").put("response", new JsonObject().put("reason", reason));
  }

  private int upgradeStatus(String uri, Map<String, String> headers) {
    HttpClient http = vertx.createHttpClient();
    try {
      return on(http.request(HttpMethod.GET, node.port(), "127.0.0.1", uri).compose(request -> {
        request.putHeader("Connection", "Upgrade").putHeader("Upgrade", "websocket")
            .putHeader("Sec-WebSocket-Version", "13").putHeader("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        headers.forEach(request::putHeader);
        return request.send();
      }).map(response -> response.statusCode()), 5);
    } finally {
      http.close();
    }
  }

  @Test
  void socket_without_vsn_2_is_refused_with_403_before_upgrade() {
    assertEquals(403, upgradeStatus("/socket/websocket", Map.of()));
    assertEquals(403, upgradeStatus("/socket/websocket?vsn=3.0.0", Map.of()));
    assertEquals(101, upgradeStatus("/socket/websocket?vsn=2.0.0", Map.of()));
  }

  @Test
  void foreign_browser_origin_is_refused_with_403_and_same_origin_or_localhost_pass() {
    assertEquals(403, upgradeStatus("/socket/websocket?vsn=2.0.0", Map.of("Origin", "https://evil.example")));
    assertEquals(101, upgradeStatus("/socket/websocket?vsn=2.0.0", Map.of("Origin", "http://localhost:3000")));
    assertEquals(101, upgradeStatus("/socket/websocket?vsn=2.0.0",
        Map.of("Origin", "https://switchboard.example", "Host", "switchboard.example")));
  }

  @Test
  void heartbeat_is_answered_on_the_phoenix_topic() {
    try (TestClient a = node.connect()) {
      a.send(null, "2", "phoenix", "heartbeat", new JsonObject());
      assertEquals(new JsonArray().addNull().add("2").add("phoenix").add("phx_reply").add(ok(new JsonObject())), a.next());
    }
  }

  @Test
  void join_ok_then_channel_push_with_join_ref_and_null_ref() {
    try (TestClient a = node.connect()) {
      a.send("1", "1", "room:r1", "phx_join", new JsonObject());
      JsonArray reply = a.next();
      assertEquals("1", reply.getString(0));
      assertEquals("1", reply.getString(1));
      assertEquals("room:r1", reply.getString(2));
      assertEquals("phx_reply", reply.getString(3));
      assertEquals("ok", reply.getJsonObject(4).getString("status"));
      assertEquals(new JsonArray().add("1").addNull().add("room:r1").add("room:peers")
          .add(new JsonObject().put("peers", new JsonArray()).put("members", new JsonArray())), a.next());
    }
  }

  @Test
  void join_refused_carries_the_refs_and_the_reason() {
    try (TestClient a = node.connect()) {
      a.send("4", "4", "peer:x", "phx_join", new JsonObject());
      assertEquals(new JsonArray().add("4").add("4").add("peer:x").add("phx_reply").add(error("unauthorized")), a.next());
    }
  }

  @Test
  void unknown_topic_and_push_to_a_topic_not_joined_get_unmatched_topic_with_null_join_ref() {
    try (TestClient a = node.connect()) {
      a.send("5", "5", "nosuch:t", "phx_join", new JsonObject());
      assertEquals(new JsonArray().addNull().add("5").add("nosuch:t").add("phx_reply").add(error("unmatched topic")),
          a.next());
      a.send("6", "6", "room:never-joined", "signal:offer", new JsonObject().put("to", "x").put("body", new JsonObject()));
      assertEquals(new JsonArray().addNull().add("6").add("room:never-joined").add("phx_reply")
          .add(error("unmatched topic")), a.next());
    }
  }

  @Test
  void broadcast_has_both_refs_null_and_push_gets_a_reply_with_the_same_refs() {
    try (TestClient a = node.connect(); TestClient b = node.connect()) {
      a.enter("r1");
      b.enter("r1");
      JsonArray joined = a.awaitEvent("room:r1", "peer:joined");
      assertNull(joined.getValue(0));
      assertNull(joined.getValue(1));
      assertEquals(b.peerId(), joined.getJsonObject(4).getString("peer_id"));
      String joinRef = a.joinRef("room:r1");
      a.send(joinRef, "77", "room:r1", "signal:offer", new JsonObject().put("to", b.peerId()).put("body", "sdp"));
      JsonArray reply = a.await(f -> "77".equals(f.getString(1)), "reply 77");
      assertEquals(new JsonArray().add(joinRef).add("77").add("room:r1").add("phx_reply").add(ok(new JsonObject())), reply);
    }
  }

  @Test
  void leave_replies_ok_then_phx_close_with_ref_equal_to_join_ref_and_unjoined_leave_is_ok_only() {
    try (TestClient a = node.connect()) {
      a.send("1", "1", "room:r1", "phx_join", new JsonObject());
      a.awaitEvent("room:r1", "room:peers");
      a.send("1", "9", "room:r1", "phx_leave", new JsonObject());
      assertEquals(new JsonArray().add("1").add("9").add("room:r1").add("phx_reply").add(ok(new JsonObject())), a.next());
      assertEquals(new JsonArray().add("1").add("1").add("room:r1").add("phx_close").add(new JsonObject()), a.next());
      a.send("12", "12", "room:not-joined", "phx_leave", new JsonObject());
      assertEquals(new JsonArray().add("12").add("12").add("room:not-joined").add("phx_reply").add(ok(new JsonObject())),
          a.next());
      a.expectSilence(Duration.ofMillis(300));
    }
  }

  @Test
  void duplicate_join_replies_first_then_closes_the_old_join_ref() {
    try (TestClient a = node.connect()) {
      a.send("1", "1", "room:r1", "phx_join", new JsonObject());
      a.awaitEvent("room:r1", "room:peers");
      a.send("10", "10", "room:r1", "phx_join", new JsonObject());
      JsonArray reply = a.next();
      assertEquals("10", reply.getString(0));
      assertEquals("phx_reply", reply.getString(3));
      assertEquals("ok", reply.getJsonObject(4).getString("status"));
      assertEquals(new JsonArray().add("1").add("1").add("room:r1").add("phx_close").add(new JsonObject()), a.next());
    }
  }

  @Test
  void stale_join_ref_is_ignored() {
    try (TestClient a = node.connect()) {
      a.send("1", "1", "room:r1", "phx_join", new JsonObject());
      a.awaitEvent("room:r1", "room:peers");
      a.send("10", "10", "room:r1", "phx_join", new JsonObject());
      a.awaitEvent("room:r1", "phx_close");
      a.send("1", "11", "room:r1", "signal:offer", new JsonObject().put("to", "x"));
      a.send("1", "12", "room:r1", "phx_leave", new JsonObject());
      a.expectSilence(Duration.ofMillis(400), f -> !"room:peers".equals(f.getString(3)));
      // still joined under the new join_ref
      assertEquals("unknown_peer", a.push("10", "room:r1", "signal:offer", new JsonObject().put("to", "x"))
          .getJsonObject("response").getString("reason"));
    }
  }

  @Test
  void malformed_frames_get_an_error_reply_and_the_socket_stays_usable() {
    try (TestClient a = node.connect()) {
      a.sendText("this is not json");
      assertEquals(new JsonArray().addNull().addNull().add("phoenix").add("phx_reply").add(error("malformed_frame")),
          a.next());
      a.sendText("[\"1\",\"3\",\"room:r1\",\"phx_join\",\"not an object\"]");
      assertEquals(new JsonArray().add("1").add("3").add("room:r1").add("phx_reply").add(error("payload_not_an_object")),
          a.next());
      a.send(null, "4", "phoenix", "heartbeat", new JsonObject());
      assertEquals("ok", a.next().getJsonObject(4).getString("status"));
      assertFalse(a.isClosed());
    }
  }

  @Test
  void by_default_a_signal_above_64_kib_is_refused_by_reply_and_a_media_event_up_to_256_kib_is_not() {
    try (TestClient a = node.connect()) {
      a.send("1", "1", "room:r1", "phx_join", new JsonObject());
      a.awaitEvent("room:r1", "room:peers");
      a.send("1", "5", "room:r1", "signal:offer", new JsonObject().put("to", "x").put("body", "x".repeat(70_000)));
      assertEquals(new JsonArray().add("1").add("5").add("room:r1").add("phx_reply").add(error("frame_too_large")),
          a.await(f -> "5".equals(f.getString(1)), "reply 5"));
      a.send("1", "6", "room:r1", "media:offer", new JsonObject().put("sdp", "x".repeat(200_000)));
      JsonArray reply = a.await(f -> "6".equals(f.getString(1)), "reply 6");
      assertNotEquals("frame_too_large", reply.getJsonObject(4).getJsonObject("response").getString("reason"),
          "a media event is read up to channel.max-media-event-bytes");
      assertEquals("ok", a.push("1", "phoenix", "heartbeat", new JsonObject()).getString("status"));
    }
  }

  @Test
  void a_frame_above_the_transport_limit_closes_the_socket_with_1009_by_default() {
    try (TestClient a = node.connect()) {
      a.send("1", "1", "room:r1", "phx_join", new JsonObject());
      a.awaitEvent("room:r1", "room:peers");
      a.send("1", "5", "room:r1", "media:offer", new JsonObject().put("sdp", "x".repeat(270_000)));
      // Netty refuses a frame above the transport limit (256 KiB) before it is buffered
      short code = a.awaitClose(Duration.ofSeconds(5));
      assertTrue(code == 1009 || code == 1006, "closed with " + code);
    }
  }

  @Test
  void with_a_larger_transport_limit_a_frame_between_the_limits_is_refused_by_reply() {
    try (TestNode wide = TestNode.start(vertx, java.util.Map.of("SWITCHBOARD_CHANNEL_TRANSPORT_MAX_FRAME_BYTES", "1048576"));
         TestClient a = wide.connect()) {
      a.send("1", "1", "room:r1", "phx_join", new JsonObject());
      a.awaitEvent("room:r1", "room:peers");
      a.send("1", "5", "room:r1", "signal:offer", new JsonObject().put("to", "x").put("body", "x".repeat(70_000)));
      assertEquals(new JsonArray().add("1").add("5").add("room:r1").add("phx_reply").add(error("frame_too_large")),
          a.await(f -> "5".equals(f.getString(1)), "reply 5"));
      assertEquals("ok", a.push("1", "phoenix", "heartbeat", new JsonObject()).getString("status"));
      a.send("1", "6", "room:r1", "signal:offer", new JsonObject().put("to", "x").put("body", "x".repeat(1_100_000)));
      short code = a.awaitClose(Duration.ofSeconds(5));
      assertTrue(code == 1009 || code == 1006, "closed with " + code);
    }
  }

  @Test
  void binary_frames_are_refused_with_a_reply() {
    try (TestClient a = node.connect()) {
      a.sendBinary(java.util.HexFormat.of().parseHex("000101070a3138726f6f6d3a72317369676e616c3a62696e010203"));
      assertEquals(new JsonArray().add("1").add("8").add("room:r1").add("phx_reply")
          .add(error("binary_frames_unsupported")), a.next());
    }
  }

  @Test
  void more_than_100_channels_on_one_socket_are_refused() {
    try (TestClient a = node.connect()) {
      for (int i = 0; i < 100; i++) {
        a.send("j" + i, "j" + i, "room:many-" + i, "phx_join", new JsonObject());
      }
      for (int i = 0; i < 100; i++) {
        String ref = "j" + i;
        assertEquals("ok", a.await(f -> ref.equals(f.getString(1)) && "phx_reply".equals(f.getString(3)), ref)
            .getJsonObject(4).getString("status"));
      }
      assertEquals(error("too many channels joined"), a.push("x", "room:one-too-many", "phx_join", new JsonObject()));
    }
  }

  @Test
  void phoenix_subprotocol_without_a_token_is_answered_and_a_bad_token_in_it_is_refused_even_in_open_mode() {
    try (TestClient a = TestClient.connect(vertx, node.port(), "/socket/websocket?vsn=2.0.0",
        Map.of("Sec-WebSocket-Protocol", "phoenix"))) {
      assertEquals("phoenix", a.subProtocol());
    }
    // "token": a sent token must verify (AccessAndIdentityTest connects with a good one this way)
    Throwable refused = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> TestClient.connect(vertx,
        node.port(), "/socket/websocket?vsn=2.0.0", Map.of("Sec-WebSocket-Protocol", "phoenix, base64url.bearer.phx.dG9rZW4")));
    Throwable cause = refused;
    while (cause.getCause() != null && !(cause instanceof io.vertx.core.http.UpgradeRejectedException)) {
      cause = cause.getCause();
    }
    assertEquals(403, ((io.vertx.core.http.UpgradeRejectedException) cause).getStatus(), refused.toString());
  }
}

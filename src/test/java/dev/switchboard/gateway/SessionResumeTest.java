package dev.switchboard.gateway;

import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import dev.switchboard.support.Wait;
import dev.switchboard.auth.TestTokens;
import dev.switchboard.support.RawWebSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** protocol.md §7: a socket lost without phx_leave can be resumed, with its peer id and held signals. */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class SessionResumeTest {
  private static final String ROOM = "room:r1";

  private static JsonObject signal(TestClient from, String to, int n) {
    return from.push(from.joinRef(ROOM), ROOM, "signal:candidate", new JsonObject().put("to", to)
        .put("body", new JsonObject().put("n", n)));
  }

  private static JsonObject state(JsonArray frame) {
    return frame.getJsonObject(4);
  }

  /** A sample of the node's own meters, e.g. {@code switchboard_sessions_held} or an outcome counter. */
  private static double meter(TestNode node, String name, String... tags) {
    io.micrometer.core.instrument.search.Search search = node.node().metrics().registry().find(name).tags(tags);
    return search.gauge() != null ? search.gauge().value() : search.counter() != null ? search.counter().count() : 0;
  }

  private static JsonObject joinRoom(TestClient client) {
    JsonObject reply = client.join(ROOM, new JsonObject());
    return reply;
  }

  @Test
  void resume_within_the_window_keeps_the_peer_id_and_delivers_held_signals_in_order_exactly_once(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx); TestClient a = node.connect(); TestClient b = node.connect()) {
      String token = a.enter("r1").getString("resume_token");
      assertNotNull(token, "every room join reply carries a resume_token");
      b.enter("r1");
      String aId = a.peerId();
      a.drop();
      JsonArray disconnected = b.awaitEvent(ROOM, "peer:state");
      assertEquals("disconnected", state(disconnected).getString("state"), disconnected.encode());
      for (int n = 0; n < 5; n++) {
        assertEquals("ok", signal(b, aId, n).getString("status"), "a signal to a held peer is acknowledged");
      }

      try (TestClient again = node.resume(token)) {
        JsonObject reply = joinRoom(again);
        assertEquals("ok", reply.getString("status"), reply.encode());
        JsonObject response = reply.getJsonObject("response");
        assertEquals(aId, response.getString("peer_id"));
        assertNotNull(response.getString("resume_token"));
        assertNotEquals(token, response.getString("resume_token"));
        again.awaitEvent(ROOM, "room:peers");
        for (int n = 0; n < 5; n++) {
          JsonArray held = again.await(TestClient.event("signal:candidate"), "held signal " + n);
          assertEquals(n, held.getJsonObject(4).getJsonObject("body").getInteger("n"), held.encode());
          assertEquals(b.peerId(), held.getJsonObject(4).getString("from"));
        }
        again.expectSilence(Duration.ofMillis(500), TestClient.event("signal:candidate"));
        assertEquals(5, again.count(TestClient.event("signal:candidate")), "each held signal exactly once");
        assertEquals(1, meter(node, "switchboard.sessions.held.outcome", "outcome", "resumed"));
        assertEquals(0, meter(node, "switchboard.sessions.held"), "no longer held");

        JsonArray connected = b.awaitEvent(ROOM, "peer:state");
        assertEquals("connected", state(connected).getString("state"), connected.encode());
        b.expectSilence(Duration.ofMillis(500), f -> true);
        assertEquals(0, b.count(TestClient.event("peer:left")), "no peer:left for a resumed peer");
        assertEquals(0, b.history(TestClient.event("peer:joined")).stream()
            .filter(f -> aId.equals(f.getJsonObject(4).getString("peer_id"))).count(), "no peer:joined either");
        // and it is a peer like any other again
        assertEquals("ok", signal(b, aId, 99).getString("status"));
        assertEquals(99, again.await(TestClient.event("signal:candidate"), "live signal")
            .getJsonObject(4).getJsonObject("body").getInteger("n"));
      }
    }
  }

  @Test
  void resume_after_the_window_is_refused_and_exactly_one_peer_left_is_seen(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_SESSION_RESUME_SECONDS", "1"));
         TestClient a = node.connect(); TestClient b = node.connect()) {
      String token = a.enter("r1").getString("resume_token");
      b.enter("r1");
      String aId = a.peerId();
      a.drop();
      assertEquals("disconnected", state(b.awaitEvent(ROOM, "peer:state")).getString("state"));
      Wait.until(() -> meter(node, "switchboard.sessions.held") >= 1, Duration.ofSeconds(2));
      assertEquals(1, meter(node, "switchboard.sessions.held"), "held while the window lasts");
      JsonArray left = b.await(TestClient.event(ROOM, "peer:left"), "peer:left at the end of the window",
          Duration.ofSeconds(5));
      assertEquals(aId, left.getJsonObject(4).getString("peer_id"));
      assertEquals("expired", left.getJsonObject(4).getString("reason"));
      assertEquals(1, meter(node, "switchboard.sessions.held.outcome", "outcome", "expired"));
      assertEquals(0, meter(node, "switchboard.sessions.held"));

      try (TestClient late = node.resume(token)) {
        JsonObject refused = joinRoom(late);
        assertEquals("error", refused.getString("status"));
        assertEquals("resume_expired", refused.getJsonObject("response").getString("reason"));
        JsonObject fresh = joinRoom(late);
        assertEquals("ok", fresh.getString("status"), "the client then joins fresh");
        assertNotEquals(aId, fresh.getJsonObject("response").getString("peer_id"));
      }
      b.expectSilence(Duration.ofMillis(500), TestClient.event("peer:left"));
      assertEquals(1, b.history(TestClient.event("peer:left")).stream()
          .filter(f -> aId.equals(f.getJsonObject(4).getString("peer_id"))).count(), "exactly one peer:left");
    }
  }

  @Test
  void a_used_resume_token_is_refused(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx); TestClient a = node.connect()) {
      String token = a.enter("r1").getString("resume_token");
      String aId = a.peerId();
      a.drop();
      try (TestClient first = node.resume(token)) {
        JsonObject reply = joinRoom(first);
        assertEquals(aId, reply.getJsonObject("response").getString("peer_id"));
        try (TestClient second = node.resume(token)) {
          JsonObject refused = joinRoom(second);
          assertEquals("resume_expired", refused.getJsonObject("response").getString("reason"), refused.encode());
          JsonObject fresh = joinRoom(second);
          assertNotEquals(aId, fresh.getJsonObject("response").getString("peer_id"));
        }
        assertEquals(false, first.isClosed(), "a refused resume does not touch the session");
      }
    }
  }

  @Test
  void a_garbage_resume_token_is_admitted_as_a_new_peer(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx); TestClient c = node.resume("not-a-token")) {
      assertEquals("resume_expired", joinRoom(c).getJsonObject("response").getString("reason"));
      assertEquals("ok", joinRoom(c).getString("status"));
    }
  }

  @Test
  void a_resume_takes_over_a_socket_that_is_still_open(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx); TestClient a = node.connect(); TestClient b = node.connect()) {
      String token = a.enter("r1").getString("resume_token");
      b.enter("r1");
      String aId = a.peerId();
      try (TestClient again = node.resume(token)) {
        assertEquals((short) 4001, a.awaitClose(Duration.ofSeconds(5)));
        JsonObject reply = joinRoom(again);
        assertEquals(aId, reply.getJsonObject("response").getString("peer_id"));
        assertEquals("ok", signal(b, aId, 7).getString("status"));
        assertEquals(7, again.await(TestClient.event("signal:candidate"), "signal after takeover")
            .getJsonObject(4).getJsonObject("body").getInteger("n"));
        b.expectSilence(Duration.ofMillis(500), TestClient.event("peer:left"));
        assertEquals(0, b.count(TestClient.event("peer:left")));
      }
    }
  }

  @Test
  void held_signal_overflow_ends_the_session(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx); TestClient a = node.connect(); TestClient b = node.connect()) {
      String token = a.enter("r1").getString("resume_token");
      b.enter("r1");
      String aId = a.peerId();
      a.drop();
      b.awaitEvent(ROOM, "peer:state");
      // 200 signals of ~2 KiB pass the 256 KiB bound before the 256-signal one
      String pad = "x".repeat(2_000);
      List<String> statuses = IntStream.range(0, 200).mapToObj(n -> b.push(b.joinRef(ROOM), ROOM,
          "signal:offer", new JsonObject().put("to", aId).put("body", pad + n))).map(r -> r.getString("status") + ":"
          + r.getJsonObject("response").getString("reason", "")).toList();
      int firstRefused = statuses.indexOf("error:peer_unreachable");
      assertNotEquals(-1, firstRefused, statuses.toString());
      assertEquals(List.of("ok:"), statuses.subList(0, firstRefused).stream().distinct().toList());
      // the pushes' replies were awaited past it: looked for over everything b received
      b.expectSilence(Duration.ofMillis(300), f -> false);
      List<JsonArray> left = b.history(TestClient.event(ROOM, "peer:left"));
      assertEquals(1, left.size(), left.toString());
      assertEquals("expired", left.get(0).getJsonObject(4).getString("reason"));
      try (TestClient late = node.resume(token)) {
        assertEquals("resume_expired", joinRoom(late).getJsonObject("response").getString("reason"));
      }
    }
  }

  @Test
  void a_held_session_keeps_its_connection_slot_until_it_ends(Vertx vertx) throws Exception {
    // 2 sockets per address: a drop-and-reconnect loop cannot pile up held sessions past the cap
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP", "2",
        "SWITCHBOARD_SESSION_RESUME_SECONDS", "2"))) {
      for (int i = 0; i < 2; i++) {
        TestClient dropped = node.connect();
        dropped.enter("r" + i);
        dropped.drop();
      }
      Thread.sleep(300); // the node sees both sockets gone
      try (RawWebSocket third = RawWebSocket.connect(node.port())) {
        assertEquals(429, third.status(), "both slots are held by sessions waiting for a resume");
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      int status = 0;
      while (System.nanoTime() < deadline && status != 101) {
        try (RawWebSocket later = RawWebSocket.connect(node.port())) {
          status = later.status();
        }
        Thread.sleep(200);
      }
      assertEquals(101, status, "the slots come back when the window ends");
    }
  }

  @Test
  void resuming_again_and_again_never_stretches_an_access_token_past_its_expiry_and_one_window(Vertx vertx)
      throws Exception {
    String secret = "resume-secret-of-at-least-32-bytes!!";
    long exp = System.currentTimeMillis() / 1000 + 2;
    String access = TestTokens.hs256(TestTokens.header("HS256", "k1"), new JsonObject().put("sub", "ana")
        .put("room", "r1").put("exp", exp), secret);
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_AUTH_MODE", "token",
        "SWITCHBOARD_AUTH_KEYS", "k1:" + secret, "SWITCHBOARD_SESSION_RESUME_SECONDS", "2"))) {
      TestClient client = node.connect(access);
      String token = client.enter("r1").getString("resume_token");
      // keep resuming until well past exp + one window
      String last = "ok";
      while (System.currentTimeMillis() / 1000 <= exp + 10) { // past exp + 5 s clock skew + the 2 s window
        client.drop();
        Thread.sleep(500);
        client = node.resume(token);
        JsonObject reply = joinRoom(client);
        last = reply.getString("status") + ":" + reply.getJsonObject("response").getString("reason", "");
        if (!"ok".equals(reply.getString("status"))) {
          break;
        }
        token = reply.getJsonObject("response").getString("resume_token");
      }
      client.close();
      assertEquals("error:unauthorized", last, "refused once the token is older than its expiry plus the window");
    }
  }

  @Test
  void an_idle_close_is_resumable(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_CHANNEL_IDLE_TIMEOUT_SECONDS", "1"));
         TestClient a = node.connect(); TestClient b = node.connect()) {
      String token = a.enter("r1").getString("resume_token");
      String aId = a.peerId();
      b.enter("r1");
      a.awaitClose(Duration.ofSeconds(5));
      try (TestClient again = node.resume(token)) {
        assertEquals(aId, joinRoom(again).getJsonObject("response").getString("peer_id"));
      }
    }
  }
}

package dev.switchboard.gateway;

import dev.switchboard.auth.TestTokens;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Access tokens at the upgrade and at each join, identity in the room, and what each grant allows. */
@ExtendWith(VertxExtension.class)
class AccessAndIdentityTest {
  private static final String OLD_SECRET = "old-secret-of-at-least-32-bytes-000001";
  private static final String NEW_SECRET = "new-secret-of-at-least-32-bytes-000002";
  private static final Map<String, String> TOKEN_MODE = Map.of("SWITCHBOARD_AUTH_MODE", "token",
      "SWITCHBOARD_AUTH_KEYS", "k1:" + OLD_SECRET + ",k2:" + NEW_SECRET);

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  private static JsonObject claims(String identity, String room) {
    return new JsonObject().put("sub", identity).put("name", identity.toUpperCase()).put("room", room)
        .put("iat", now()).put("exp", now() + 600);
  }

  private static String token(JsonObject claims) {
    return TestTokens.hs256(TestTokens.header("HS256", "k2"), claims, NEW_SECRET);
  }

  private static String token(String identity, String room) {
    return token(claims(identity, room));
  }

  /** The HTTP status of a refused upgrade, or 101 when it was accepted. */
  private static int upgradeStatus(Vertx vertx, int port, String query) {
    var client = vertx.createWebSocketClient();
    try {
      return on(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
              .setURI("/socket/websocket?vsn=2.0.0" + query))
          .map(ws -> {
            ws.close();
            return 101;
          })
          .recover(e -> e instanceof UpgradeRejectedException rejected
              ? io.vertx.core.Future.succeededFuture(rejected.getStatus()) : io.vertx.core.Future.failedFuture(e)), 5);
    } finally {
      client.close();
    }
  }

  @Test
  void token_mode_refuses_every_bad_token_at_the_upgrade_with_403(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE)) {
      int port = node.port();
      assertEquals(403, upgradeStatus(vertx, port, ""), "missing token");
      assertEquals(403, upgradeStatus(vertx, port, "&token=" + TestTokens.hs256(TestTokens.header("HS256", "k2"),
          claims("alice", "r1"), OLD_SECRET)), "bad signature");
      assertEquals(403, upgradeStatus(vertx, port, "&token=" + TestTokens.hs256(TestTokens.header("HS256", "k9"),
          claims("alice", "r1"), NEW_SECRET)), "unknown kid");
      assertEquals(403, upgradeStatus(vertx, port, "&token=" + token(claims("alice", "r1").put("exp", now() - 60))),
          "expired");
      assertEquals(403, upgradeStatus(vertx, port, "&token=" + token(claims("alice", "r1").put("nbf", now() + 600))),
          "not yet valid");
      assertEquals(403, upgradeStatus(vertx, port, "&token=not.a.jwt"), "malformed");
      assertEquals(101, upgradeStatus(vertx, port, "&token=" + token("alice", "r1")));
    }
  }

  @Test
  void while_keys_rotate_tokens_under_the_old_and_the_new_kid_are_both_valid(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE)) {
      String old = TestTokens.hs256(TestTokens.header("HS256", "k1"), claims("alice", "r1"), OLD_SECRET);
      assertEquals(101, upgradeStatus(vertx, node.port(), "&token=" + old));
      assertEquals(101, upgradeStatus(vertx, node.port(), "&token=" + token("alice", "r1")));
    }
  }

  @Test
  void the_phoenix_js_subprotocol_carries_the_token(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE)) {
      String encoded = Base64.getUrlEncoder().withoutPadding()
          .encodeToString(token("alice", "r1").getBytes(StandardCharsets.UTF_8));
      try (TestClient a = TestClient.connect(vertx, node.port(), "/socket/websocket?vsn=2.0.0",
          Map.of("Sec-WebSocket-Protocol", "phoenix, base64url.bearer.phx." + encoded))) {
        assertEquals("phoenix", a.subProtocol());
        assertEquals("ok", a.join("room:r1", new JsonObject()).getString("status"));
      }
    }
  }

  @Test
  void a_grant_joins_only_the_room_it_covers(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE); TestClient a = node.connect(token("alice", "r1"))) {
      JsonObject refused = a.join("room:r2", new JsonObject());
      assertEquals("error", refused.getString("status"));
      assertEquals("unauthorized", refused.getJsonObject("response").getString("reason"));
      assertEquals("ok", a.join("room:r1", new JsonObject()).getString("status"));
      try (TestClient any = node.connect(token("bob", "*"))) {
        assertEquals("ok", any.join("room:r2", new JsonObject()).getString("status"));
      }
      try (TestClient noJoin = node.connect(token(claims("carol", "r1").put("join", false)))) {
        assertEquals("unauthorized", noJoin.join("room:r1", new JsonObject()).getJsonObject("response")
            .getString("reason"));
      }
    }
  }

  @Test
  void newcomers_see_everyone_with_identity_name_and_metadata_at_once(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE);
         TestClient a = node.connect(token(claims("alice", "r1").put("metadata", new JsonObject().put("role", "host"))));
         TestClient b = node.connect(token("bob", "r1"))) {
      JsonObject first = a.enter("r1");
      JsonObject second = b.enter("r1");
      assertEquals(new JsonArray().add(first.getString("peer_id")), second.getJsonArray("peers"));
      JsonObject alice = second.getJsonArray("members").getJsonObject(0);
      assertEquals(first.getString("peer_id"), alice.getString("peer_id"));
      assertEquals("alice", alice.getString("identity"));
      assertEquals("ALICE", alice.getString("name"));
      assertEquals("host", alice.getJsonObject("metadata").getString("role"));
      assertTrue(alice.getBoolean("verified"));
      assertEquals("connected", alice.getString("state"));
      JsonObject joined = a.awaitEvent("room:r1", "peer:joined").getJsonObject(4);
      assertEquals(second.getString("peer_id"), joined.getString("peer_id"));
      assertEquals("bob", joined.getString("identity"));
      assertTrue(joined.getBoolean("verified"));
    }
  }

  @Test
  void open_mode_takes_capped_unverified_profiles_from_join_params(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx); TestClient a = node.connect(); TestClient b = node.connect()) {
      a.join("room:r1", new JsonObject().put("name", "x".repeat(500)).put("identity", "alice"));
      JsonObject reply = b.join("room:r1", new JsonObject()).getJsonObject("response");
      JsonObject alice = reply.getJsonArray("members").getJsonObject(0);
      assertEquals(64, alice.getString("name").length());
      assertFalse(alice.getBoolean("verified"));
      // an unverified identity replaces nobody
      try (TestClient c = node.connect()) {
        c.join("room:r1", new JsonObject().put("identity", "alice"));
        b.expectSilence(Duration.ofMillis(300), TestClient.event("peer:left"));
      }
    }
  }

  @Test
  void a_second_socket_of_the_same_identity_replaces_the_first(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE);
         TestClient observer = node.connect(token("bob", "r1"));
         TestClient first = node.connect(token("alice", "r1"));
         TestClient second = node.connect(token("alice", "r1"))) {
      observer.enter("r1");
      String firstId = first.enter("r1").getString("peer_id");
      JsonObject reply = second.enter("r1");
      assertEquals(1, reply.getJsonArray("peers").size(), "only bob: the old alice is gone");
      JsonArray close = first.awaitEvent("room:r1", "phx_close");
      assertEquals("replaced", close.getJsonObject(4).getString("reason"));
      assertEquals(first.joinRef("room:r1"), close.getString(0), "phoenix.js only honours the current join_ref");
      JsonArray left = observer.awaitEvent("room:r1", "peer:left");
      assertEquals(firstId, left.getJsonObject(4).getString("peer_id"));
      assertEquals("replaced", left.getJsonObject(4).getString("reason"));
      assertEquals(reply.getString("peer_id"),
          observer.await(TestClient.event("room:r1", "peer:joined").and(f -> !f.getJsonObject(4)
              .getString("peer_id").equals(firstId)), "new alice").getJsonObject(4).getString("peer_id"));
    }
  }

  @Test
  void an_admin_removes_a_participant_and_nobody_else_may(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE);
         TestClient admin = node.connect(token(claims("host", "r1").put("admin", true)));
         TestClient a = node.connect(token("alice", "r1"));
         TestClient b = node.connect(token("bob", "r1"))) {
      admin.enter("r1");
      String aliceId = a.enter("r1").getString("peer_id");
      String bobId = b.enter("r1").getString("peer_id");
      JsonObject refused = b.push(b.joinRef("room:r1"), "room:r1", "admin:remove", new JsonObject().put("peer_id", aliceId));
      assertEquals("unauthorized", refused.getJsonObject("response").getString("reason"));
      JsonObject removed = admin.push(admin.joinRef("room:r1"), "room:r1", "admin:remove",
          new JsonObject().put("peer_id", bobId));
      assertEquals("ok", removed.getString("status"));
      assertEquals("removed", b.awaitEvent("room:r1", "phx_close").getJsonObject(4).getString("reason"));
      JsonObject left = a.awaitEvent("room:r1", "peer:left").getJsonObject(4);
      assertEquals(bobId, left.getString("peer_id"));
      assertEquals("removed", left.getString("reason"));
      // the removed peer can no longer signal into the room
      JsonObject afterwards = b.push(b.joinRef("room:r1"), "room:r1", "signal:offer",
          new JsonObject().put("to", aliceId).put("body", "x"));
      assertEquals("error", afterwards.getString("status"));
    }
  }

  @Test
  void a_peer_that_does_not_subscribe_receives_signals_from_admins_only(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE);
         TestClient admin = node.connect(token(claims("host", "r1").put("admin", true)));
         TestClient a = node.connect(token("alice", "r1"));
         TestClient quiet = node.connect(token(claims("viewer", "r1").put("subscribe", false)))) {
      admin.enter("r1");
      a.enter("r1");
      String quietId = quiet.enter("r1").getString("peer_id");
      JsonObject fromMember = a.push(a.joinRef("room:r1"), "room:r1", "signal:candidate",
          new JsonObject().put("to", quietId).put("body", "c"));
      assertEquals("not_subscribed", fromMember.getJsonObject("response").getString("reason"));
      JsonObject fromAdmin = admin.push(admin.joinRef("room:r1"), "room:r1", "signal:candidate",
          new JsonObject().put("to", quietId).put("body", "c"));
      assertEquals("ok", fromAdmin.getString("status"));
      assertEquals(1, quiet.count(TestClient.event("signal:candidate")));
    }
  }

  @Test
  void a_peer_that_does_not_publish_cannot_offer_to_send_media(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE);
         TestClient a = node.connect(token("alice", "r1"));
         TestClient viewer = node.connect(token(claims("viewer", "r1").put("publish", false)))) {
      String aliceId = a.enter("r1").getString("peer_id");
      viewer.enter("r1");
      String sending = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n";
      JsonObject refused = viewer.push(viewer.joinRef("room:r1"), "room:r1", "signal:offer",
          new JsonObject().put("to", aliceId).put("body", new JsonObject().put("type", "offer").put("sdp", sending)));
      assertEquals("publish_not_allowed", refused.getJsonObject("response").getString("reason"));
      String receiving = sending.replace("a=sendrecv", "a=recvonly");
      JsonObject accepted = viewer.push(viewer.joinRef("room:r1"), "room:r1", "signal:offer",
          new JsonObject().put("to", aliceId).put("body", new JsonObject().put("type", "offer").put("sdp", receiving)));
      assertEquals("ok", accepted.getString("status"));
      JsonObject member = a.awaitEvent("room:r1", "peer:joined").getJsonObject(4);
      assertFalse(member.getBoolean("publish"), "the others know the peer only receives");
    }
  }

  @Test
  void a_fresh_token_of_the_same_identity_is_taken_and_another_identity_is_refused(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE); TestClient a = node.connect(token("alice", "r1"))) {
      a.enter("r1");
      JsonObject same = a.push(a.joinRef("room:r1"), "room:r1", "auth:refresh",
          new JsonObject().put("token", token("alice", "*")));
      assertEquals("ok", same.getString("status"));
      assertEquals("ok", a.join("room:r2", new JsonObject()).getString("status"), "the fresh grant covers r2");
      JsonObject other = a.push(a.joinRef("room:r1"), "room:r1", "auth:refresh",
          new JsonObject().put("token", token("mallory", "*")));
      assertEquals("unauthorized", other.getJsonObject("response").getString("reason"));
      JsonObject ice = a.push(a.joinRef("room:r1"), "room:r1", "ice:refresh", new JsonObject());
      assertEquals("ok", ice.getString("status"));
      assertTrue(ice.getJsonObject("response").containsKey("ice_servers"));
    }
  }

  private static Map.Entry<Integer, JsonObject> get(Vertx vertx, int port, String path, String bearer) {
    HttpClient http = vertx.createHttpClient();
    try {
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
          .setURI(path);
      if (bearer != null) {
        options.putHeader("Authorization", "Bearer " + bearer);
      }
      return on(http.request(options).compose(r -> r.send())
          .compose(response -> response.body().map(b -> Map.entry(response.statusCode(), b.toJsonObject()))), 5);
    } finally {
      http.close();
    }
  }

  @Test
  void http_ice_servers_exist_only_for_admitted_peers(Vertx vertx) {
    try (TestNode open = TestNode.start(vertx)) {
      assertEquals(404, get(vertx, open.port(), "/api/ice-servers", null).getKey());
      assertEquals(404, get(vertx, open.port(), "/api/turn?service=turn&username=x", null).getKey());
    }
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE); TestClient a = node.connect(token("alice", "r1"))) {
      String aliceToken = token("alice", "r1");
      assertEquals(401, get(vertx, node.port(), "/api/ice-servers", null).getKey());
      TestClient notYet = node.connect(aliceToken);
      String idle = notYet.join("peer:nobody", new JsonObject()).toString(); // joined no room
      assertNotEquals("", idle);
      String aliceId = a.enter("r1").getString("peer_id");
      assertEquals(401, get(vertx, node.port(), "/api/ice-servers?peer_id=" + aliceId, token("mallory", "r1")).getKey(),
          "another identity's token");
      assertEquals(401, get(vertx, node.port(), "/api/ice-servers?peer_id=unknown", aliceToken).getKey());
      Map.Entry<Integer, JsonObject> granted = get(vertx, node.port(), "/api/ice-servers?peer_id=" + aliceId, aliceToken);
      assertEquals(200, granted.getKey());
      assertTrue(granted.getValue().getJsonArray("ice_servers").getJsonObject(1).getString("username")
          .contains(":" + aliceId + ":"));
      notYet.close();
    }
  }

  @Test
  void one_address_gets_a_bounded_number_of_join_attempts(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_HTTP_JOINS_PER_IP_PER_SECOND", "1",
        "SWITCHBOARD_HTTP_JOIN_BURST_PER_IP", "3")); TestClient a = node.connect(); TestClient b = node.connect()) {
      for (int i = 0; i < 3; i++) {
        assertEquals("ok", (i % 2 == 0 ? a : b).join("room:r" + i, new JsonObject()).getString("status"));
      }
      JsonObject refused = b.join("room:r9", new JsonObject());
      assertEquals("too_many_joins", refused.getJsonObject("response").getString("reason"),
          "counted per address, over all its sockets");
    }
  }

  @Test
  void the_turn_credentials_of_a_removed_peer_are_refused_at_allocate(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.start(vertx, TOKEN_MODE);
         TestClient admin = node.connect(token(claims("host", "r1").put("admin", true)));
         TestClient b = node.connect(token("bob", "r1"))) {
      admin.enter("r1");
      JsonObject reply = b.enter("r1");
      JsonObject turn = reply.getJsonArray("ice_servers").getJsonObject(1);
      int port = node.node().turnPort();
      try (var before = new dev.switchboard.support.TurnTestClient(port, turn.getString("username"),
          turn.getString("credential"))) {
        before.allocate(); // admitted: the credential works
      }
      admin.push(admin.joinRef("room:r1"), "room:r1", "admin:remove", new JsonObject().put("peer_id", b.peerId()));
      b.awaitEvent("room:r1", "phx_close");
      long deadline = System.currentTimeMillis() + 5_000;
      int code = 0;
      while (code != 401 && System.currentTimeMillis() < deadline) {
        try (var after = new dev.switchboard.support.TurnTestClient(port, turn.getString("username"),
            turn.getString("credential"))) {
          code = dev.switchboard.support.TurnTestClient.errorCode(after.request(
              org.ice4j.message.MessageFactory.createAllocateRequest((byte) 17, false)));
        }
        Thread.sleep(100);
      }
      assertEquals(401, code, "the removed peer's credential is refused within 5 s");
    }
  }
}

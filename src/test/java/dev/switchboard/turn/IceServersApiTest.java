package dev.switchboard.turn;

import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ICE servers with REST-API credentials in the join reply (the HTTP endpoints, for admitted peers only, are
 * specified in AccessAndIdentityTest).
 */
@ExtendWith(VertxExtension.class)
class IceServersApiTest {
  private static final Map<String, String> FLEET = Map.of("SWITCHBOARD_TURN_SECRET", "s3cret",
      "SWITCHBOARD_TURN_URIS", "stun:turn.example:3478,turn:turn.example:3478?transport=udp",
      "SWITCHBOARD_TURN_CREDENTIAL_TTL_SECONDS", "600");
  private final TurnCredentials verifier = new TurnCredentials(List.of("s3cret"), Duration.ofSeconds(600));

  private static Map.Entry<Integer, JsonObject> get(Vertx vertx, int port, String path) {
    HttpClient http = vertx.createHttpClient();
    try {
      return on(http.request(HttpMethod.GET, port, "127.0.0.1", path).compose(r -> r.send())
          .compose(response -> response.body().map(b -> Map.entry(response.statusCode(), b.toJsonObject()))), 5);
    } finally {
      http.close();
    }
  }

  private void assertValidFor(JsonObject turnServer, String id) {
    String username = turnServer.getString("username");
    long expiry = Long.parseLong(username.substring(0, username.indexOf(':')));
    long now = System.currentTimeMillis() / 1000;
    assertTrue(expiry > now + 590 && expiry <= now + 601, username);
    assertEquals(id, CredentialUser.parse(username).peerId());
    assertTrue(verifier.verify(username, turnServer.getString("credential"), now));
  }

  @Test
  void the_join_reply_carries_stun_and_turn_with_a_credential_for_the_peer(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, FLEET); TestClient a = node.connect()) {
      JsonArray iceServers = a.enter("r1").getJsonArray("ice_servers");
      assertEquals(new JsonObject().put("urls", new JsonArray().add("stun:turn.example:3478")), iceServers.getJsonObject(0));
      JsonObject turn = iceServers.getJsonObject(1);
      assertEquals(new JsonArray().add("turn:turn.example:3478?transport=udp"), turn.getJsonArray("urls"));
      assertValidFor(turn, a.peerId());
    }
  }

  @Test
  void without_configured_uris_the_built_in_relay_is_handed_out(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx); TestClient a = node.connect()) {
      JsonArray iceServers = a.enter("r1").getJsonArray("ice_servers");
      String hostPort = "127.0.0.1:" + node.node().turnPort();
      assertEquals(new JsonArray().add("stun:" + hostPort), iceServers.getJsonObject(0).getJsonArray("urls"));
      assertEquals(new JsonArray().add("turn:" + hostPort + "?transport=udp").add("turn:" + hostPort + "?transport=tcp"),
          iceServers.getJsonObject(1).getJsonArray("urls"));
    }
  }

  @Test
  void with_the_relay_disabled_and_no_uris_nothing_is_handed_out(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_RELAY_ENABLED", "false"));
         TestClient a = node.connect()) {
      assertEquals(new JsonArray(), a.enter("r1").getJsonArray("ice_servers"));
    }
  }
}

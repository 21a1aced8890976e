package dev.switchboard.gateway;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.room.InMemoryRoomStore;
import dev.switchboard.room.RegistryClient;
import dev.switchboard.room.RoomRegistryVerticle;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
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
 * Every way out of a room announces peer:left exactly once and frees the registry entry. A socket lost without
 * phx_leave is first held for a resume (peer:state disconnected) and leaves when the window ends ("expired").
 */
@ExtendWith(VertxExtension.class)
class WaysOutTest {
  private static final String RESUME_WINDOW = "SWITCHBOARD_SESSION_RESUME_SECONDS";

  /** A lost socket's peer is announced disconnected first, then gone once the (1 s) resume window ends. */
  private static void expectDisconnectedThenExpired(TestClient observer, String room, String peerId) {
    JsonArray state = observer.awaitEvent("room:" + room, "peer:state");
    assertEquals(peerId, state.getJsonObject(4).getString("peer_id"));
    assertEquals("disconnected", state.getJsonObject(4).getString("state"));
    assertEquals("expired", expectLeftOnce(observer, room, peerId).getJsonObject(4).getString("reason"));
  }

  /** The observer hears peer:left for the peer, and over everything it ever received no other peer:left. */
  private static JsonArray expectLeftOnce(TestClient observer, String room, String peerId) {
    JsonArray left = observer.awaitEvent("room:" + room, "peer:left");
    assertEquals(new JsonArray().addNull().addNull().add("room:" + room).add("peer:left").add(peerId),
        new JsonArray().addNull().addNull().add(left.getString(2)).add(left.getString(3))
            .add(left.getJsonObject(4).getString("peer_id")));
    assertTrue(List.of("left", "closed", "expired").contains(left.getJsonObject(4).getString("reason")), left.encode());
    observer.expectSilence(Duration.ofMillis(500), TestClient.event("peer:left"));
    assertEquals(List.of(left), observer.history(TestClient.event("peer:left")),
        "exactly one peer:left over the whole run, on any topic");
    return left;
  }

  private static List<String> members(Vertx vertx, String room) {
    return on(new RegistryClient(vertx.eventBus(), 2000).members(room), 5);
  }

  @Test
  void peer_left_is_broadcast_once_on_phx_leave(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx); TestClient a = node.connect(); TestClient b = node.connect()) {
      a.enter("r1");
      b.enter("r1");
      b.push(b.joinRef("room:r1"), "room:r1", "phx_leave", new JsonObject());
      expectLeftOnce(a, "r1", b.peerId());
      assertEquals(List.of(a.peerId()), members(vertx, "r1"));
    }
  }

  @Test
  void peer_left_is_broadcast_once_when_the_socket_drops_and_the_resume_window_ends(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, Map.of(RESUME_WINDOW, "1"));
         TestClient a = node.connect(); TestClient b = node.connect()) {
      a.enter("r1");
      b.enter("r1");
      b.drop();
      expectDisconnectedThenExpired(a, "r1", b.peerId());
      assertEquals(List.of(a.peerId()), members(vertx, "r1"));
    }
  }

  @Test
  void a_silent_socket_is_closed_after_the_idle_timeout_and_its_peer_leaves(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_CHANNEL_IDLE_TIMEOUT_SECONDS", "2",
        RESUME_WINDOW, "1"));
         TestClient a = node.connect(); TestClient b = node.connect()) {
      a.enter("r1");
      b.enter("r1");
      long start = System.nanoTime();
      // a keeps its heartbeat; b falls silent
      for (int i = 0; i < 6 && !b.isClosed(); i++) {
        a.send(null, a.nextRef(), "phoenix", "heartbeat", new JsonObject());
        sleep(500);
      }
      b.awaitClose(Duration.ofSeconds(3));
      expectDisconnectedThenExpired(a, "r1", b.peerId());
      assertEquals(List.of(a.peerId()), members(vertx, "r1"));
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(true, elapsedMs >= 1500, "closed too early: " + elapsedMs + " ms");
    }
  }

  @Test
  void duplicate_join_leaves_no_ghost_the_old_membership_is_announced_left_once(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx); TestClient a = node.connect(); TestClient b = node.connect()) {
      a.enter("r1");
      b.enter("r1");
      String rejoin = b.nextRef();
      b.send(rejoin, rejoin, "room:r1", "phx_join", new JsonObject());
      JsonObject response = b.await(f -> rejoin.equals(f.getString(1)), "rejoin reply").getJsonObject(4)
          .getJsonObject("response");
      assertEquals(new JsonArray().add(a.peerId()), response.getJsonArray("peers"));
      expectLeftOnce(a, "r1", b.peerId());
      assertEquals(List.of(a.peerId(), b.peerId()), members(vertx, "r1"));
    }
  }

  @Test
  void node_shutdown_closes_sockets_with_1001_after_their_peers_left(Vertx vertx) {
    // two gateways share one registry, as two nodes share Redis: shutting one down is visible from the other
    SwitchboardConfig base = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE,
        Map.of("SWITCHBOARD_HTTP_HOST", "127.0.0.1", "SWITCHBOARD_HTTP_PORT", "0", "SWITCHBOARD_HTTP_INSTANCES", "1")), 5);
    SwitchboardMetrics metrics = SwitchboardMetrics.create();
    on(vertx.deployVerticle(new RoomRegistryVerticle(new InMemoryRoomStore(), 6, metrics)), 5);
    GatewayVerticle leaving = new GatewayVerticle(base, IceServers.NONE, metrics);
    GatewayVerticle staying = new GatewayVerticle(base, IceServers.NONE, metrics);
    String leavingId = on(vertx.deployVerticle(leaving), 5);
    on(vertx.deployVerticle(staying), 5);
    String uri = "/socket/websocket?vsn=2.0.0";
    try (TestClient a = TestClient.connect(vertx, leaving.port(), uri, Map.of());
         TestClient b = TestClient.connect(vertx, staying.port(), uri, Map.of())) {
      a.enter("r1");
      b.enter("r1");
      on(vertx.undeploy(leavingId), 10);
      assertEquals(1001, a.awaitClose(Duration.ofSeconds(5)));
      expectLeftOnce(b, "r1", a.peerId());
      assertEquals(List.of(b.peerId()), members(vertx, "r1"));
    }
  }

  @Test
  void the_last_peer_out_empties_the_room(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, Map.of(RESUME_WINDOW, "1")); TestClient a = node.connect()) {
      a.enter("solo");
      a.drop();
      long deadline = System.currentTimeMillis() + 3000;
      while (!members(vertx, "solo").isEmpty() && System.currentTimeMillis() < deadline) {
        sleep(50);
      }
      assertEquals(List.of(), members(vertx, "solo"));
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}

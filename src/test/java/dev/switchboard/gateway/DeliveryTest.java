package dev.switchboard.gateway;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.room.InMemoryRoomStore;
import dev.switchboard.room.RegistryClient;
import dev.switchboard.room.RoomRegistryVerticle;
import dev.switchboard.room.RoomStore;
import dev.switchboard.support.DelayedRoomStore;
import dev.switchboard.support.RawWebSocket;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ok} means delivered: a signal is acknowledged only once it reached the target's socket. */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class DeliveryTest {
  private static final String URI = "/socket/websocket?vsn=2.0.0";

  /** A gateway whose joins take {@code iceDelayMillis} after the registry admitted the peer, over the given store. */
  private static GatewayVerticle gateway(Vertx vertx, RoomStore store, long iceDelayMillis, Map<String, String> env) {
    Map<String, String> merged = new HashMap<>(Map.of("SWITCHBOARD_HTTP_HOST", "127.0.0.1",
        "SWITCHBOARD_HTTP_PORT", "0", "SWITCHBOARD_HTTP_INSTANCES", "1"));
    merged.putAll(env);
    SwitchboardConfig config = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, merged), 5);
    SwitchboardMetrics metrics = SwitchboardMetrics.create();
    on(vertx.deployVerticle(new RoomRegistryVerticle(store, 6, metrics)), 5);
    IceServers slow = (peerId, identity) -> {
      Promise<dev.switchboard.bus.IceServersReply> later = Promise.promise();
      vertx.setTimer(iceDelayMillis, t -> later.complete(IceServers.NO_SERVERS));
      return later.future();
    };
    GatewayVerticle gateway = new GatewayVerticle(config, iceDelayMillis == 0 ? IceServers.NONE : slow, metrics);
    on(vertx.deployVerticle(gateway), 5);
    return gateway;
  }

  private static JsonArray joinFrame(String ref, String room) {
    return new JsonArray().add(ref).add(ref).add("room:" + room).add("phx_join").add(new JsonObject());
  }

  @Test
  void a_signal_to_a_peer_whose_join_is_completing_is_delivered_after_its_join_reply(Vertx vertx) {
    GatewayVerticle gateway = gateway(vertx, new InMemoryRoomStore(), 800, Map.of());
    try (TestClient a = TestClient.connect(vertx, gateway.port(), URI, Map.of());
         TestClient b = TestClient.connect(vertx, gateway.port(), URI, Map.of())) {
      a.enter("r1");
      b.sendText(joinFrame("1", "r1").encode());
      String bPeer = a.awaitEvent("room:r1", "peer:joined").getJsonObject(4).getString("peer_id");
      JsonObject reply = a.push(a.joinRef("room:r1"), "room:r1", "signal:offer",
          new JsonObject().put("to", bPeer).put("body", "sdp"));
      assertEquals("ok", reply.getString("status"), reply::encode);
      JsonArray joined = b.await(f -> "phx_reply".equals(f.getString(3)) && "1".equals(f.getString(1)), "join reply");
      assertEquals("ok", joined.getJsonObject(4).getString("status"));
      JsonArray offer = b.awaitEvent("room:r1", "signal:offer");
      assertEquals(new JsonObject().put("from", a.peerId()).put("body", "sdp"), offer.getJsonObject(4));
      assertTrue(b.history().indexOf(joined) < b.history().indexOf(offer), "the join reply comes first");
    }
  }

  @Test
  void room_events_that_arrive_while_a_join_completes_reach_the_joiner_after_its_reply(Vertx vertx) {
    GatewayVerticle gateway = gateway(vertx, new InMemoryRoomStore(), 800, Map.of());
    try (TestClient a = TestClient.connect(vertx, gateway.port(), URI, Map.of());
         TestClient b = TestClient.connect(vertx, gateway.port(), URI, Map.of());
         TestClient c = TestClient.connect(vertx, gateway.port(), URI, Map.of())) {
      a.enter("r1");
      b.sendText(joinFrame("1", "r1").encode());
      a.awaitEvent("room:r1", "peer:joined");
      c.sendText(joinFrame("1", "r1").encode());
      String cPeer = a.awaitEvent("room:r1", "peer:joined").getJsonObject(4).getString("peer_id");
      JsonArray bJoined = b.await(f -> "phx_reply".equals(f.getString(3)), "b's join reply");
      assertEquals(new JsonArray().add(a.peerId()), bJoined.getJsonObject(4).getJsonObject("response").getJsonArray("peers"));
      JsonArray cArrived = b.awaitEvent("room:r1", "peer:joined");
      assertEquals(cPeer, cArrived.getJsonObject(4).getString("peer_id"), "b learns of c, who joined during b's join");
    }
  }

  @Test
  void a_peer_whose_socket_stopped_reading_leaves_its_room_although_it_keeps_sending_heartbeats(Vertx vertx)
      throws Exception {
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_CHANNEL_SLOW_READER_SECONDS", "1",
        "SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND", "1000", "SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST", "1000"));
         RawWebSocket stalled = RawWebSocket.connect(node.port(), Map.of(), 4096);
         TestClient a = node.connect()) {
      stalled.text(joinFrame("1", "slow").encode());
      JsonArray present = a.enter("slow").getJsonArray("peers");
      // enter() may have skipped past the peer:joined while it awaited its own replies: the history has it
      String stalledPeer = !present.isEmpty() ? present.getString(0)
          : a.count(TestClient.event("room:slow", "peer:joined")) > 0
          ? a.history(TestClient.event("room:slow", "peer:joined")).get(0).getJsonObject(4).getString("peer_id")
          : a.awaitEvent("room:slow", "peer:joined").getJsonObject(4).getString("peer_id");
      String body = "x".repeat(60_000);
      long deadline = System.currentTimeMillis() + 30_000;
      long nextHeartbeat = 0;
      while (System.currentTimeMillis() < deadline && a.count(f -> "peer:left".equals(f.getString(3))) == 0) {
        if (System.currentTimeMillis() > nextHeartbeat) {
          stalled.text("[null,\"hb\",\"phoenix\",\"heartbeat\",{}]");
          nextHeartbeat = System.currentTimeMillis() + 300;
        }
        a.sendAsync(new JsonArray().add(a.joinRef("room:slow")).add(a.nextRef()).add("room:slow").add("signal:offer")
            .add(new JsonObject().put("to", stalledPeer).put("body", body)).encode());
        Thread.sleep(5);
      }
      JsonArray left = a.awaitEvent("room:slow", "peer:left");
      assertEquals(stalledPeer, left.getJsonObject(4).getString("peer_id"));
      JsonObject refused = a.push(a.joinRef("room:slow"), "room:slow", "signal:offer",
          new JsonObject().put("to", stalledPeer).put("body", "late"));
      assertEquals("error", refused.getString("status"), "nothing is acknowledged for a peer that is gone");
      assertTrue(stalled.awaitDropped(15_000), "the server drops the connection although the client never reads");
    }
  }

  @Test
  void a_join_whose_registry_answer_comes_too_late_leaves_no_member_behind(Vertx vertx) throws Exception {
    // the gateway waits 5 s for the registry; this store admits the peer after 6 s
    GatewayVerticle gateway = gateway(vertx, new DelayedRoomStore(new InMemoryRoomStore(), vertx, 6_000), 0, Map.of());
    try (TestClient a = TestClient.connect(vertx, gateway.port(), URI, Map.of())) {
      a.sendText(joinFrame("1", "ghost").encode());
      JsonArray reply = a.await(f -> "phx_reply".equals(f.getString(3)), "join reply", Duration.ofSeconds(10));
      assertEquals("error", reply.getJsonObject(4).getString("status"));
      RegistryClient registry = new RegistryClient(vertx.eventBus(), 2_000);
      Thread.sleep(1_500);
      long deadline = System.currentTimeMillis() + 5_000;
      List<String> members = on(registry.members("ghost"), 5);
      while (!members.isEmpty() && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
        members = on(registry.members("ghost"), 5);
      }
      assertEquals(List.of(), members, "the late admission was undone");
    }
  }

}

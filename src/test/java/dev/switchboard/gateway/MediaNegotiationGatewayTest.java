package dev.switchboard.gateway;

import dev.switchboard.auth.TestTokens;
import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.MediaPush;
import dev.switchboard.bus.MediaReply;
import dev.switchboard.bus.MediaRequest;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's half of the media negotiation (protocol.md §8): what it sends the room's media node, what it
 * answers the client, and how the node's pushes reach the socket. The media node itself is stood in for by a
 * consumer on its bus address, which records what it is asked.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class MediaNegotiationGatewayTest {
  /** SFU rooms whose media node is a stand-in of the test's own (or none at all). */
  /** A single node serves its rooms' media itself: the stand-in answers on this node's media address. */
  private static final String NODE_ID = "stand-in-node";
  private static final Map<String, String> NO_LOCAL_NODE = Map.of("SWITCHBOARD_MEDIA_ENABLED", "false",
      "SWITCHBOARD_ROOMS_TOPOLOGY", "sfu", "SWITCHBOARD_NODE_ID", NODE_ID);
  private static final String SECRET = "media-secret-of-at-least-32-bytes-0001";
  private static final String SENDING = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n";

  private static Map<String, String> withNoLocalNode(String... more) {
    Map<String, String> env = new java.util.HashMap<>(NO_LOCAL_NODE);
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return env;
  }

  @Test
  void the_join_reply_says_the_rooms_are_sfu_rooms_by_default_and_mesh_rooms_when_configured(Vertx vertx) {
    try (TestNode sfu = TestNode.start(vertx); TestClient a = sfu.connect()) {
      assertEquals("sfu", a.enter("r1").getString("topology"));
    }
    try (TestNode mesh = TestNode.start(vertx, Map.of("SWITCHBOARD_ROOMS_TOPOLOGY", "mesh"));
         TestClient a = mesh.connect()) {
      assertEquals("mesh", a.enter("r1").getString("topology"));
    }
  }

  @Test
  void in_a_mesh_room_media_events_are_refused_mesh_room_and_never_reach_a_media_node(Vertx vertx) {
    List<MediaRequest> asked = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> mediaNode = standInNode(vertx, asked);
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_MEDIA_ENABLED", "false"));
         TestClient a = node.connect()) {
      on(mediaNode.completion(), 5);
      assertEquals("mesh", a.enter("r1").getString("topology"), "no media node here: mesh rooms");
      for (String event : List.of("media:offer", "media:answer", "media:candidate")) {
        JsonObject reply = a.push(a.joinRef("room:r1"), "room:r1", event, new JsonObject().put("sdp", SENDING));
        assertEquals("mesh_room", reply.getJsonObject("response").getString("reason"), event);
      }
      assertTrue(asked.isEmpty(), "the node never saw them: " + asked);
    } finally {
      mediaNode.unregister();
    }
  }

  private static String token(JsonObject claims) {
    long now = System.currentTimeMillis() / 1000;
    return TestTokens.hs256(TestTokens.header("HS256", "k1"),
        claims.put("room", "r1").put("iat", now).put("exp", now + 600), SECRET);
  }

  private static MessageConsumer<JsonObject> standInNode(Vertx vertx, List<MediaRequest> asked) {
    return vertx.eventBus().consumer(Addresses.mediaNode(NODE_ID), message -> {
      MediaRequest request = MediaRequest.fromJson(message.body());
      asked.add(request);
      switch (request.op()) {
        case OFFER -> message.reply(new MediaReply("answer to " + request.sdp().length()).toJson());
        case ANSWER -> message.fail(BusFailure.REFUSED, "no_offer_pending");
        default -> message.reply(new MediaReply(null).toJson());
      }
    });
  }

  @Test
  void without_a_media_node_an_offer_is_refused_media_unavailable(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, NO_LOCAL_NODE); TestClient a = node.connect()) {
      a.enter("r1");
      JsonObject reply = a.push(a.joinRef("room:r1"), "room:r1", "media:offer", new JsonObject().put("sdp", SENDING));
      assertEquals("media_unavailable", reply.getJsonObject("response").getString("reason"));
    }
  }

  @Test
  void an_offer_goes_to_the_media_node_and_its_answer_comes_back_in_the_reply(Vertx vertx) {
    List<MediaRequest> asked = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> mediaNode = standInNode(vertx, asked);
    try (TestNode node = TestNode.start(vertx, NO_LOCAL_NODE); TestClient a = node.connect()) {
      on(mediaNode.completion(), 5);
      String peerId = a.enter("r1").getString("peer_id");
      JsonObject reply = a.push(a.joinRef("room:r1"), "room:r1", "media:offer", new JsonObject().put("sdp", SENDING));
      assertEquals("ok", reply.getString("status"), reply.encode());
      assertEquals("answer to " + SENDING.length(), reply.getJsonObject("response").getString("sdp"));
      MediaRequest offer = asked.get(0);
      assertEquals(new MediaRequest("r1", peerId, offer.nodeId(), MediaRequest.Op.OFFER, SENDING, true), offer);
      JsonObject refused = a.push(a.joinRef("room:r1"), "room:r1", "media:answer", new JsonObject().put("sdp", "v=0"));
      assertEquals("no_offer_pending", refused.getJsonObject("response").getString("reason"),
          "the node's own refusal reaches the client");
      JsonObject noSdp = a.push(a.joinRef("room:r1"), "room:r1", "media:offer", new JsonObject());
      assertEquals("invalid_sdp", noSdp.getJsonObject("response").getString("reason"));
    } finally {
      mediaNode.unregister();
    }
  }

  @Test
  void a_peer_that_does_not_publish_may_only_offer_to_receive(Vertx vertx) {
    List<MediaRequest> asked = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> mediaNode = standInNode(vertx, asked);
    try (TestNode node = TestNode.start(vertx, withNoLocalNode("SWITCHBOARD_AUTH_MODE", "token",
        "SWITCHBOARD_AUTH_KEYS", "k1:" + SECRET));
         TestClient viewer = node.connect(token(new JsonObject().put("sub", "viewer").put("publish", false)))) {
      on(mediaNode.completion(), 5);
      viewer.enter("r1");
      JsonObject refused = viewer.push(viewer.joinRef("room:r1"), "room:r1", "media:offer",
          new JsonObject().put("sdp", SENDING));
      assertEquals("publish_not_allowed", refused.getJsonObject("response").getString("reason"));
      assertTrue(asked.isEmpty(), "the node never saw it");
      JsonObject receiving = viewer.push(viewer.joinRef("room:r1"), "room:r1", "media:offer",
          new JsonObject().put("sdp", SENDING.replace("a=sendrecv", "a=recvonly")));
      assertEquals("ok", receiving.getString("status"));
      assertEquals(false, asked.get(0).publish(), "the node is told the grant does not publish");
    } finally {
      mediaNode.unregister();
    }
  }

  @Test
  void a_media_push_reaches_the_socket_on_its_room_topic_and_is_confirmed(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, NO_LOCAL_NODE); TestClient a = node.connect()) {
      String peerId = a.enter("r1").getString("peer_id");
      DeliveryOptions media = new DeliveryOptions().addHeader(Addresses.PEER_OP, Addresses.PEER_MEDIA);
      JsonObject payload = new JsonObject().put("track_id", "t1").put("peer_id", "other").put("kind", "video");
      on(vertx.eventBus().request(Addresses.peer(peerId), new MediaPush("r1", "track:published", payload).toJson(),
          media), 5);
      assertEquals(payload, a.awaitEvent("room:r1", "track:published").getJsonObject(4));
      Throwable notInRoom = on(vertx.eventBus().request(Addresses.peer(peerId),
          new MediaPush("r2", "track:published", payload).toJson(), media).map(m -> (Throwable) null)
          .recover(io.vertx.core.Future::succeededFuture), 5);
      assertEquals(BusFailure.UNKNOWN_PEER, notInRoom.getMessage(), "a room the socket is not in is refused");
    }
  }

  @Test
  void the_media_node_learns_when_a_negotiating_peer_leaves_or_its_socket_drops(Vertx vertx) {
    List<MediaRequest> asked = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> mediaNode = standInNode(vertx, asked);
    try (TestNode node = TestNode.start(vertx, NO_LOCAL_NODE); TestClient a = node.connect(); TestClient b = node.connect()) {
      on(mediaNode.completion(), 5);
      String aId = a.enter("r1").getString("peer_id");
      String bId = b.enter("r1").getString("peer_id");
      a.push(a.joinRef("room:r1"), "room:r1", "media:offer", new JsonObject().put("sdp", SENDING));
      b.push(b.joinRef("room:r1"), "room:r1", "media:offer", new JsonObject().put("sdp", SENDING));
      a.push(a.joinRef("room:r1"), "room:r1", "phx_leave", new JsonObject());
      b.drop();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (asked.stream().filter(r -> r.op() == MediaRequest.Op.LEAVE).count() < 2 && System.nanoTime() < deadline) {
        on(io.vertx.core.Future.future(p -> vertx.setTimer(20, t -> p.complete())), 5);
      }
      assertEquals(List.of(aId, bId).stream().sorted().toList(), asked.stream()
          .filter(r -> r.op() == MediaRequest.Op.LEAVE).map(MediaRequest::peerId).sorted().toList());
    } finally {
      mediaNode.unregister();
    }
  }

  @Test
  void a_peer_whose_media_node_left_the_cluster_is_told_to_start_over_and_nobody_else(Vertx vertx) {
    List<MediaRequest> asked = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> mediaNode = standInNode(vertx, asked);
    try (TestNode node = TestNode.start(vertx, NO_LOCAL_NODE); TestClient a = node.connect();
         TestClient b = node.connect()) {
      on(mediaNode.completion(), 5);
      a.enter("r1");
      b.enter("r1");
      a.push(a.joinRef("room:r1"), "room:r1", "media:offer", new JsonObject().put("sdp", SENDING));
      DeliveryOptions local = new DeliveryOptions().setLocalOnly(true);
      vertx.eventBus().publish(Addresses.NODE_LOST, "some-other-node", local);
      a.expectSilence(Duration.ofMillis(300), TestClient.event("room:r1", "media:reset"));
      vertx.eventBus().publish(Addresses.NODE_LOST, NODE_ID, local);
      assertEquals("media_node_lost", a.awaitEvent("room:r1", "media:reset").getJsonObject(4).getString("reason"));
      String aId = a.peerId();
      waitUntil(() -> asked.stream().anyMatch(r -> r.op() == MediaRequest.Op.LEAVE && r.peerId().equals(aId)),
          "a node taken for lost may only be paused: it is told to end the participant all the same");
      b.expectSilence(Duration.ofMillis(300), TestClient.event("room:r1", "media:reset"));
      assertEquals(0, b.count(TestClient.event("room:r1", "media:reset")), "b never negotiated with the node");
      vertx.eventBus().publish(Addresses.NODE_LOST, NODE_ID, local);
      a.expectSilence(Duration.ofMillis(300), TestClient.event("room:r1", "media:reset"));
      assertEquals(1, a.count(TestClient.event("room:r1", "media:reset")), "told once, until it negotiates again");
    } finally {
      mediaNode.unregister();
    }
  }

  @Test
  void a_first_offer_answered_too_late_is_ended_on_the_node_that_may_have_taken_it(Vertx vertx) {
    List<MediaRequest> asked = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> slowNode = vertx.eventBus().consumer(Addresses.mediaNode(NODE_ID), message -> {
      MediaRequest request = MediaRequest.fromJson(message.body());
      asked.add(request);
      if (request.op() == MediaRequest.Op.OFFER) {
        vertx.setTimer(6_000, t -> message.reply(new MediaReply("late answer").toJson()));
      }
    });
    try (TestNode node = TestNode.start(vertx, NO_LOCAL_NODE); TestClient a = node.connect()) {
      on(slowNode.completion(), 5);
      String peerId = a.enter("r1").getString("peer_id");
      a.send(a.joinRef("room:r1"), "late-offer", "room:r1", "media:offer", new JsonObject().put("sdp", SENDING));
      JsonObject reply = a.await(f -> "phx_reply".equals(f.getString(3)) && "late-offer".equals(f.getString(1)),
          "the offer's reply after the node's 5 s", Duration.ofSeconds(10)).getJsonObject(4);
      assertEquals("media_unavailable", reply.getJsonObject("response").getString("reason"));
      waitUntil(() -> asked.stream().anyMatch(r -> r.op() == MediaRequest.Op.LEAVE && r.peerId().equals(peerId)),
          "the participant the node admitted late is ended");
    } finally {
      slowNode.unregister();
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError(what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}

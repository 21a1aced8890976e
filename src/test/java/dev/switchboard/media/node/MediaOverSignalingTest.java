package dev.switchboard.media.node;

import dev.switchboard.media.client.MediaClient;
import dev.switchboard.media.client.Vp8Publisher;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.DatagramSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real node with its media node on: two sockets negotiate over {@code room:<id>} (protocol.md §8) as the web app
 * will, and the viewer's media kit receives the publisher's video through the node.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class MediaOverSignalingTest {
  private static int freeUdpPort() throws Exception {
    try (DatagramSocket socket = new DatagramSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String sdpOf(JsonObject reply) {
    assertEquals("ok", reply.getString("status"), reply.encode());
    return reply.getJsonObject("response").getString("sdp");
  }

  @Test
  void a_viewer_gets_the_publishers_video_after_negotiating_over_the_room_channel(Vertx vertx) throws Exception {
    Map<String, String> media = Map.of("SWITCHBOARD_MEDIA_ENABLED", "true",
        "SWITCHBOARD_MEDIA_PORT", String.valueOf(freeUdpPort()));
    try (TestNode node = TestNode.start(vertx, media); TestClient aliceSocket = node.connect();
         TestClient bobSocket = node.connect(); MediaClient alice = new MediaClient(); MediaClient bob = new MediaClient()) {
      aliceSocket.enter("r1");
      bobSocket.enter("r1");
      // bob watches first: the node has nothing to send him yet
      String bobAnswer = sdpOf(bobSocket.push(bobSocket.joinRef("room:r1"), "room:r1", "media:offer",
          new JsonObject().put("sdp", ClientSdp.receiveOnlyOffer(bob))));
      bob.connect(ClientSdp.candidate(bobAnswer), ClientSdp.ufrag(bobAnswer), ClientSdp.pwd(bobAnswer),
          ClientSdp.fingerprint(bobAnswer), Duration.ofSeconds(10));
      // alice publishes: bob hears of her tracks and is offered them
      String aliceAnswer = sdpOf(aliceSocket.push(aliceSocket.joinRef("room:r1"), "room:r1", "media:offer",
          new JsonObject().put("sdp", ClientSdp.offer(alice))));
      alice.connect(ClientSdp.candidate(aliceAnswer), ClientSdp.ufrag(aliceAnswer), ClientSdp.pwd(aliceAnswer),
          ClientSdp.fingerprint(aliceAnswer), Duration.ofSeconds(10));
      // the node offers bob the new track, then tells the room of it
      String nodeOffer = bobSocket.awaitEvent("room:r1", "media:offer").getJsonObject(4).getString("sdp");
      JsonArray published = bobSocket.awaitEvent("room:r1", "track:published");
      assertEquals(aliceSocket.peerId(), published.getJsonObject(4).getString("peer_id"));
      assertTrue(nodeOffer.contains("a=msid:" + aliceSocket.peerId() + " "), nodeOffer);
      JsonObject answered = bobSocket.push(bobSocket.joinRef("room:r1"), "room:r1", "media:answer",
          new JsonObject().put("sdp", ClientSdp.answer(nodeOffer, bob)));
      assertEquals("ok", answered.getString("status"), answered.encode());
      // alice's audio and video came one after the other: the node offers what came while its offer was out
      // once that is answered, and sends bob a stream only once an answer of his covers it
      int answeredOffers = 1;
      long quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < quietUntil) {
        List<JsonArray> offers = bobSocket.history(TestClient.event("room:r1", "media:offer"));
        if (offers.size() > answeredOffers) {
          String next = offers.get(answeredOffers++).getJsonObject(4).getString("sdp");
          JsonObject ok = bobSocket.push(bobSocket.joinRef("room:r1"), "room:r1", "media:answer",
              new JsonObject().put("sdp", ClientSdp.answer(next, bob)));
          assertEquals("ok", ok.getString("status"), ok.encode());
          quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        }
        Thread.sleep(20);
      }

      Vp8Publisher camera = new Vp8Publisher(ClientSdp.VIDEO_SSRC, ClientSdp.VP8, 15, 300_000, 15);
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      int video = 0;
      while (video < 20 && System.nanoTime() < deadline) {
        camera.sendFrame(alice::sendRtp);
        MediaClient.Received packet;
        while ((packet = bob.poll(Duration.ofMillis(60))) != null) {
          if (!packet.rtcp()) {
            video++;
          }
        }
      }
      assertTrue(video >= 20, "bob received " + video + " video packets through the node");

      aliceSocket.push(aliceSocket.joinRef("room:r1"), "room:r1", "phx_leave", new JsonObject());
      JsonArray gone = bobSocket.awaitEvent("room:r1", "track:unpublished");
      assertEquals(aliceSocket.peerId(), gone.getJsonObject(4).getString("peer_id"),
          "a publisher who leaves takes its tracks with it");
    }
  }
}

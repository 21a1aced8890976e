package dev.switchboard.media.node;

import dev.switchboard.media.client.MediaClient;
import dev.switchboard.media.client.Vp8Publisher;
import dev.switchboard.media.negotiation.NegotiationRefusal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The media node end to end over loopback UDP, with the media kit as clients: a publisher's offer with Chromium's
 * SDP, ICE-lite, DTLS, SRTP, the node's offer of the publisher's tracks to a viewer, and the viewer decoding the
 * publisher's VP8 stream under the SSRC the node announced to it.
 */
@Timeout(60)
class MediaNodeEndToEndTest {

  private static int videoSsrcIn(String nodeOffer) {
    // the node's video section to the viewer: its a=ssrc line (RTX is the second SSRC of the FID group)
    Matcher m = Pattern.compile("a=ssrc-group:FID (\\d+) (\\d+)").matcher(nodeOffer);
    assertTrue(m.find(), "the node's offer announces the video SSRC and its RTX:\n" + nodeOffer);
    return (int) Long.parseLong(m.group(1));
  }

  private static void connect(MediaClient client, String nodeSdp) throws Exception {
    client.connect(ClientSdp.candidate(nodeSdp), ClientSdp.ufrag(nodeSdp), ClientSdp.pwd(nodeSdp),
        ClientSdp.fingerprint(nodeSdp), Duration.ofSeconds(10));
  }

  private static void awaitConnected(NodeUnderTest node, String peerId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!node.call(() -> node.node.connected(peerId))) {
      assertTrue(System.nanoTime() < deadline, peerId + " never got SRTP keys");
      Thread.sleep(20);
    }
  }

  @Test
  void a_viewer_receives_the_publishers_video_rewritten_to_the_ssrc_the_node_offered_it() throws Exception {
    try (NodeUnderTest node = new NodeUnderTest(); MediaClient alice = new MediaClient();
         MediaClient bob = new MediaClient()) {
      String aliceAnswer = node.call(() -> node.node.offer("r", "alice", ClientSdp.offer(alice), true));
      assertTrue(aliceAnswer.contains("a=ice-lite") && aliceAnswer.contains("a=setup:passive"), aliceAnswer);
      node.call(() -> {
        node.node.answerSent("alice");
        return null;
      });
      Set<String> published = new HashSet<>();
      published.add(node.awaitEvent("alice", "track:published").payload().getString("kind"));
      published.add(node.awaitEvent("alice", "track:published").payload().getString("kind"));
      assertEquals(Set.of("audio", "video"), published);
      connect(alice, aliceAnswer);

      String bobAnswer = node.call(() -> node.node.offer("r", "bob", ClientSdp.receiveOnlyOffer(bob), true));
      node.call(() -> {
        node.node.answerSent("bob");
        return null;
      });
      String nodeOffer = node.awaitEvent("bob", "media:offer").payload().getString("sdp");
      assertTrue(nodeOffer.contains("a=msid:alice "), "each track carries its owner's peer id:\n" + nodeOffer);
      node.call(() -> {
        node.node.answer("r", "bob", ClientSdp.answer(nodeOffer, bob));
        return null;
      });
      connect(bob, bobAnswer);
      awaitConnected(node, "alice");
      awaitConnected(node, "bob");

      int bobsVideoSsrc = videoSsrcIn(nodeOffer);
      Vp8Publisher camera = new Vp8Publisher(ClientSdp.VIDEO_SSRC, ClientSdp.VP8, 15, 300_000, 15);
      int sentPackets = 0;
      for (int frame = 0; frame < 20; frame++) {
        sentPackets += camera.sendFrame(alice::sendRtp);
        Thread.sleep(camera.frameIntervalNanos() / 1_000_000);
      }
      int received = 0;
      int keyframes = 0;
      int lastSeq = -1;
      MediaClient.Received packet;
      while ((packet = bob.poll(Duration.ofSeconds(2))) != null) {
        if (packet.rtcp()) {
          continue;
        }
        var rtp = packet.rtp();
        assertEquals(bobsVideoSsrc, rtp.ssrc(), "the SSRC the node announced to bob, not alice's");
        assertNotEquals(ClientSdp.VIDEO_SSRC, rtp.ssrc());
        if (lastSeq >= 0) {
          assertEquals((lastSeq + 1) & 0xFFFF, rtp.sequence(), "no gap: nothing was lost on loopback");
        }
        lastSeq = rtp.sequence();
        received++;
        if (Vp8Publisher.isKeyframe(packet.packet(), rtp.payloadOffset(), rtp.payloadLength())) {
          keyframes++;
        }
        assertTrue(Vp8Publisher.sendNanos(packet.packet(), rtp.payloadOffset(), rtp.payloadLength()) > 0);
        if (received == sentPackets) {
          break;
        }
      }
      assertEquals(sentPackets, received, "every packet alice sent reached bob");
      assertTrue(keyframes >= 1, "the stream starts with a keyframe");
      assertEquals(0, bob.srtpFailures());

      node.call(() -> {
        node.node.leave("r", "alice");
        return null;
      });
      assertEquals("alice", node.awaitEvent("bob", "track:unpublished").payload().getString("peer_id"));
      assertNotNull(node.awaitEvent("bob", "media:offer"), "bob is offered the room without alice's tracks");
      assertEquals(1, node.call(() -> node.node.participantCount()));
    }
  }

  @Test
  void a_viewer_who_negotiated_first_is_offered_a_publishers_tracks_when_they_come() throws Exception {
    try (NodeUnderTest node = new NodeUnderTest(); MediaClient alice = new MediaClient();
         MediaClient bob = new MediaClient()) {
      node.call(() -> node.node.offer("r", "bob", ClientSdp.receiveOnlyOffer(bob), true));
      node.call(() -> {
        node.node.answerSent("bob");
        return null;
      });
      node.call(() -> node.node.offer("r", "alice", ClientSdp.offer(alice), true));
      assertEquals("alice", node.awaitEvent("bob", "track:published").payload().getString("peer_id"));
      String nodeOffer = node.awaitEvent("bob", "media:offer").payload().getString("sdp");
      assertTrue(nodeOffer.contains("a=msid:alice "), nodeOffer);
    }
  }

  @Test
  void an_offer_the_node_cannot_read_is_refused_and_leaves_nothing_behind() throws Exception {
    try (NodeUnderTest node = new NodeUnderTest()) {
      NegotiationRefusal refused = assertThrows(NegotiationRefusal.class,
          () -> node.call(() -> node.node.offer("r", "mallory", "v=0\r\nm=video\r\n", true)));
      assertEquals("invalid_sdp", refused.reason());
      assertEquals(0, node.call(() -> node.node.participantCount()));
      assertEquals(0, node.call(() -> node.node.roomCount()));
    }
  }
}

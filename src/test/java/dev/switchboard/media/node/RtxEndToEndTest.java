package dev.switchboard.media.node;

import dev.switchboard.media.client.MediaClient;
import dev.switchboard.media.client.Vp8Publisher;
import dev.switchboard.media.rtp.Bytes;
import dev.switchboard.media.rtp.Nack;
import dev.switchboard.media.rtp.RtcpCompound;
import dev.switchboard.media.rtp.RtcpHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RTX through the node over loopback UDP with the media kit as clients, as the SDP negotiated it: the node NACKs a
 * packet the publisher did not get through, the publisher's RTX answer (its FID SSRC, apt=96 payload type from its
 * offer) reaches the viewer in its place, and a viewer's NACK is answered on the RTX SSRC the node announced to it.
 */
@Timeout(60)
class RtxEndToEndTest {
  private static final int PUBLISHER_RTX_SSRC = (int) 1490040483L;
  private static final int PUBLISHER_RTX_PT = 97;

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

  /** The sequence numbers the node NACKs in the RTCP the publisher receives within {@code timeout}. */
  private static TreeSet<Integer> nackedUpstream(MediaClient publisher, Duration timeout) throws Exception {
    TreeSet<Integer> nacked = new TreeSet<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    RtcpCompound compound = new RtcpCompound();
    while (nacked.isEmpty() && System.nanoTime() < deadline) {
      MediaClient.Received packet = publisher.poll(Duration.ofMillis(100));
      if (packet == null || !packet.rtcp()) {
        continue;
      }
      compound.reset(packet.packet(), 0, packet.packet().length);
      while (compound.next()) {
        if (compound.type() == RtcpHeader.RTPFB && compound.count() == RtcpHeader.FMT_NACK
            && Nack.is(packet.packet(), compound.offset(), compound.length())) {
          for (int seq : Nack.lostSequenceNumbers(packet.packet(), compound.offset(), compound.length())) {
            nacked.add(seq);
          }
        }
      }
    }
    return nacked;
  }

  @Test
  void a_lost_packet_comes_back_as_the_publishers_rtx_and_a_viewers_nack_is_answered_on_its_rtx_ssrc()
      throws Exception {
    try (NodeUnderTest node = new NodeUnderTest(); MediaClient alice = new MediaClient();
         MediaClient bob = new MediaClient()) {
      String aliceAnswer = node.call(() -> node.node.offer("r", "alice", ClientSdp.offer(alice), true));
      node.call(() -> {
        node.node.answerSent("alice");
        return null;
      });
      node.awaitEvent("alice", "track:published");
      node.awaitEvent("alice", "track:published");
      connect(alice, aliceAnswer);
      String bobAnswer = node.call(() -> node.node.offer("r", "bob", ClientSdp.receiveOnlyOffer(bob), true));
      node.call(() -> {
        node.node.answerSent("bob");
        return null;
      });
      String nodeOffer = node.awaitEvent("bob", "media:offer").payload().getString("sdp");
      node.call(() -> {
        node.node.answer("r", "bob", ClientSdp.answer(nodeOffer, bob));
        return null;
      });
      connect(bob, bobAnswer);
      awaitConnected(node, "alice");
      awaitConnected(node, "bob");
      Matcher fid = Pattern.compile("a=ssrc-group:FID (\\d+) (\\d+)").matcher(nodeOffer);
      assertTrue(fid.find(), nodeOffer);
      int bobsVideoSsrc = (int) Long.parseLong(fid.group(1));
      int bobsRtxSsrc = (int) Long.parseLong(fid.group(2));
      Matcher rtxPt = Pattern.compile("a=fmtp:(\\d+) apt=" + ClientSdp.VP8 + "\r\n").matcher(nodeOffer);
      assertTrue(rtxPt.find(), nodeOffer);
      int bobsRtxPt = Integer.parseInt(rtxPt.group(1));

      // alice's camera; one packet after the first frame does not get through
      Vp8Publisher camera = new Vp8Publisher(ClientSdp.VIDEO_SSRC, ClientSdp.VP8, 15, 300_000, 30);
      List<Vp8Publisher.Packet> sent = new ArrayList<>();
      Vp8Publisher.Packet lost = null;
      for (int frame = 0; frame < 6; frame++) {
        for (Vp8Publisher.Packet p : camera.nextFrame()) {
          if (frame == 2 && lost == null) {
            lost = p;
            continue;
          }
          sent.add(p);
          alice.sendRtp(p.ssrc(), p.payloadType(), p.sequence(), p.timestamp(), p.marker(), p.payload());
        }
        Thread.sleep(camera.frameIntervalNanos() / 1_000_000);
      }
      assertNotNull(lost);
      assertTrue(nackedUpstream(alice, Duration.ofSeconds(3)).contains(lost.sequence()),
          "the node NACKs the packet alice's path lost");
      byte[] rtxPayload = new byte[lost.payload().length + 2];
      Bytes.put16(rtxPayload, 0, lost.sequence());
      System.arraycopy(lost.payload(), 0, rtxPayload, 2, lost.payload().length);
      alice.sendRtp(PUBLISHER_RTX_SSRC, PUBLISHER_RTX_PT, 5000, lost.timestamp(), lost.marker(), rtxPayload);

      TreeSet<Integer> bobsNumbers = new TreeSet<>();
      int expected = sent.size() + 1;
      int lostAtBob = -1;
      MediaClient.Received packet;
      while (bobsNumbers.size() < expected && (packet = bob.poll(Duration.ofSeconds(3))) != null) {
        if (packet.rtcp()) {
          continue;
        }
        var rtp = packet.rtp();
        assertEquals(bobsVideoSsrc, rtp.ssrc());
        if (rtp.timestamp() != 0 && rtp.payloadLength() == lost.payload().length
            && java.util.Arrays.equals(java.util.Arrays.copyOfRange(packet.packet(), rtp.payloadOffset(),
            rtp.payloadOffset() + rtp.payloadLength()), lost.payload())) {
          lostAtBob = rtp.sequence();
        }
        bobsNumbers.add(rtp.sequence());
      }
      assertEquals(expected, bobsNumbers.size(), "bob got every packet, the retransmitted one too");
      assertEquals(bobsNumbers.last() - bobsNumbers.first() + 1, bobsNumbers.size(), "with no gap left");
      assertTrue(lostAtBob > bobsNumbers.first() && lostAtBob < bobsNumbers.last(),
          "the retransmission took the number kept for it between its neighbours");

      // bob lost the first packet it was sent: it NACKs it, the node answers on bob's RTX SSRC
      int asked = bobsNumbers.first();
      byte[] nack = new byte[64];
      int len = Nack.write(nack, 0, 0x0B0B, bobsVideoSsrc, new int[] {asked}, 0, 1);
      bob.sendRtcp(java.util.Arrays.copyOf(nack, len));
      MediaClient.Received rtx = null;
      while ((packet = bob.poll(Duration.ofSeconds(3))) != null) {
        if (!packet.rtcp()) {
          rtx = packet;
          break;
        }
      }
      assertNotNull(rtx, "bob's NACK is answered");
      assertEquals(bobsRtxSsrc, rtx.rtp().ssrc(), "on the RTX SSRC of bob's FID group");
      assertEquals(bobsRtxPt, rtx.rtp().payloadType(), "with bob's RTX payload type for VP8");
      assertEquals(asked, Bytes.u16(rtx.packet(), rtx.rtp().payloadOffset()), "carrying the number bob asked for");
    }
  }
}

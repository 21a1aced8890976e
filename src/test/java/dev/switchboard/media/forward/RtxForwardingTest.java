package dev.switchboard.media.forward;

import dev.switchboard.media.rtp.RtpPacket;
import dev.switchboard.media.rtp.Rtx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retransmissions as RTX (RFC 4588): unwrapped from a publisher, wrapped for a subscriber that negotiated it. */
@Timeout(10)
class RtxForwardingTest {
  private static final int CAMERA_SSRC = 0x1111;
  private static final int CAMERA_RTX_SSRC = 0x2222;
  private static final int VP8 = 96;
  private static final int VP8_RTX = 97;
  private static final long MS = 1_000_000L;

  private final List<byte[]> sent = new ArrayList<>();
  private final Router router = new Router(Router.Limits.defaults(), new SplittableRandom(11));
  private final RoomMedia room = router.join("r", "alice");
  private final MediaCounters counters = new MediaCounters();
  private final PacketForwarder forwarder = new PacketForwarder(room, (subscriber, buf, off, len) -> {
    sent.add(Arrays.copyOfRange(buf, off, off + len));
    return true;
  }, counters);
  private final Downstream bob;

  RtxForwardingTest() {
    Track camera = router.publish("alice",
        new Track("alice-cam", "alice", Track.Kind.VIDEO, CAMERA_SSRC, CAMERA_RTX_SSRC, 90_000, VP8));
    forwarder.addSource(camera, KeyframeDetector.VP8).rtxPayloadType(VP8_RTX, VP8);
    router.join("r", "bob");
    bob = router.subscribe("bob", "alice-cam");
  }

  private int fromAlice(byte[] packet, long now) {
    return forwarder.onRtp("alice", packet, 0, packet.length, now);
  }

  private static RtpPacket rtp(byte[] packet) {
    RtpPacket p = new RtpPacket();
    assertTrue(p.wrap(packet, 0, packet.length));
    return p;
  }

  /** What Chrome sends on its RTX SSRC when the node NACKs {@code original}. */
  private static byte[] rtxOf(byte[] original, int rtxSeq) {
    byte[] out = new byte[original.length + Rtx.OSN_LENGTH];
    int len = Rtx.write(rtp(original), out, 0, CAMERA_RTX_SSRC, VP8_RTX, rtxSeq);
    return Arrays.copyOf(out, len);
  }

  @Test
  void a_publishers_rtx_packet_fills_the_gap_the_subscriber_was_given_a_number_for() {
    fromAlice(SpecPackets.vp8(CAMERA_SSRC, 100, 0, true, 1), 0);
    byte[] lost = SpecPackets.vp8(CAMERA_SSRC, 101, 0, false, 2);
    fromAlice(SpecPackets.vp8(CAMERA_SSRC, 102, 3000, false, 3), 2 * MS);
    SourceStream source = forwarder.source(CAMERA_SSRC);
    int[] missing = new int[8];
    assertEquals(1, source.nacks().pending(40 * MS, missing), "the node NACKs 101 upstream");
    assertEquals(101, missing[0]);
    int first = rtp(sent.get(0)).sequenceNumber();
    sent.clear();

    assertEquals(1, fromAlice(rtxOf(lost, 7), 50 * MS), "the retransmission goes on to bob");
    RtpPacket late = rtp(sent.get(0));
    assertEquals((first + 1) & 0xFFFF, late.sequenceNumber(), "the number reserved for 101 between 100 and 102");
    assertEquals(bob.outgoingSsrc(), late.ssrc());
    assertEquals(VP8, late.payloadType(), "the original payload type, not the RTX one");
    assertArrayEquals(Arrays.copyOfRange(lost, 12, lost.length), Arrays.copyOfRange(sent.get(0), 12, sent.get(0).length),
        "the original payload without the OSN");
    assertEquals(0, source.nacks().pending(200 * MS, missing), "101 is no longer NACKed");
    assertTrue(source.cache().copy(101, 60 * MS, new byte[1500], 0) > 0, "and is cached for subscribers' NACKs");
    assertEquals(1, counters.retransmissionsReceived());
    assertEquals(1, source.retransmissionsReceived());
  }

  @Test
  void a_retransmission_of_a_packet_that_already_arrived_is_not_forwarded_twice() {
    byte[] keyframe = SpecPackets.vp8(CAMERA_SSRC, 100, 0, true, 1);
    fromAlice(keyframe, 0);
    assertEquals(0, fromAlice(rtxOf(keyframe, 1), MS), "Chrome may resend on RTX what the node already has");
    assertEquals(1, sent.size());
  }

  @Test
  void padding_only_rtx_packets_and_rtx_of_another_participant_are_dropped() {
    fromAlice(SpecPackets.vp8(CAMERA_SSRC, 100, 0, true, 1), 0);
    byte[] padding = new byte[12 + 200];
    padding[0] = (byte) 0xA0; // version 2, padding
    padding[1] = (byte) VP8_RTX;
    padding[11] = 0x22;
    padding[10] = 0x22;
    padding[padding.length - 1] = (byte) 200;
    assertEquals(0, fromAlice(padding, MS), "a bandwidth probe carries nothing");
    assertEquals(1, forwarder.rtxPadding());
    byte[] stolen = rtxOf(SpecPackets.vp8(CAMERA_SSRC, 101, 0, false, 2), 2);
    assertEquals(0, forwarder.onRtp("bob", stolen, 0, stolen.length, 2 * MS), "only the track's owner feeds it");
    assertEquals(1, sent.size());
  }

  @Test
  void a_subscriber_with_rtx_gets_its_nacked_packet_on_its_rtx_ssrc_with_its_own_numbering() {
    bob.mapRtxPayloadType(VP8, 107);
    fromAlice(SpecPackets.vp8(CAMERA_SSRC, 10, 0, true, 1), 0);
    fromAlice(SpecPackets.vp8(CAMERA_SSRC, 11, 0, false, 2), MS);
    int lost = rtp(sent.get(1)).sequenceNumber();
    sent.clear();
    assertEquals(2, forwarder.onNack("bob", bob.outgoingSsrc(), new int[] {lost, lost}, 2, 3 * MS));
    RtpPacket rtx = rtp(sent.get(0));
    assertEquals(bob.outgoingRtxSsrc(), rtx.ssrc());
    assertEquals(107, rtx.payloadType());
    assertEquals(lost, Rtx.originalSequenceNumber(rtx), "the OSN is the number bob NACKed");
    assertEquals(2, sent.get(0)[12 + Rtx.OSN_LENGTH + 7], "then the payload bob lost");
    assertEquals((rtx.sequenceNumber() + 1) & 0xFFFF, rtp(sent.get(1)).sequenceNumber(),
        "the RTX stream has its own consecutive numbers");
    assertEquals(2, counters.retransmissionsSent());
    assertEquals(1, counters.nacksReceived());
  }

  @Test
  void a_subscriber_without_rtx_gets_the_packet_again_as_it_was() {
    fromAlice(SpecPackets.vp8(CAMERA_SSRC, 10, 0, true, 1), 0);
    fromAlice(SpecPackets.vp8(CAMERA_SSRC, 11, 0, false, 2), MS);
    int lost = rtp(sent.get(1)).sequenceNumber();
    sent.clear();
    assertEquals(1, forwarder.onNack("bob", bob.outgoingSsrc(), new int[] {lost}, 1, 3 * MS));
    RtpPacket again = rtp(sent.get(0));
    assertEquals(bob.outgoingSsrc(), again.ssrc());
    assertEquals(lost, again.sequenceNumber());
    assertEquals(VP8, again.payloadType());
  }
}

package dev.switchboard.media.forward;

import dev.switchboard.media.rtp.RtpPacket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class PacketForwarderTest {
  private static final int CAMERA_SSRC = 0x1111;
  private static final long MS = 1_000_000L;

  private record Sent(String subscriber, byte[] packet) {
    RtpPacket rtp() {
      RtpPacket p = new RtpPacket();
      assertTrue(p.wrap(packet, 0, packet.length));
      return p;
    }
  }

  private final List<Sent> sent = new ArrayList<>();
  private final Router router = new Router(Router.Limits.defaults(), new SplittableRandom(7));
  private final RoomMedia room = router.join("r", "alice");
  private final PacketForwarder forwarder = new PacketForwarder(room, (subscriber, buf, off, len) -> {
    assertTrue(buf.length - off - len >= PacketForwarder.TAIL_ROOM, "room for the SRTP tag");
    sent.add(new Sent(subscriber, Arrays.copyOfRange(buf, off, off + len)));
    return true;
  });
  private Downstream bob;
  private Downstream carol;

  private void publishCameraTo(String... subscribers) {
    Track camera = router.publish("alice", new Track("alice-cam", "alice", Track.Kind.VIDEO, CAMERA_SSRC, 0, 90_000, 96));
    forwarder.addSource(camera, KeyframeDetector.VP8);
    for (String subscriber : subscribers) {
      router.join("r", subscriber);
      Downstream d = router.subscribe(subscriber, "alice-cam");
      if (subscriber.equals("bob")) {
        bob = d;
      } else {
        carol = d;
      }
    }
  }

  private int forward(byte[] packet, long now) {
    return forwarder.onRtp("alice", packet, 0, packet.length, now);
  }

  @Test
  void a_video_subscriber_gets_nothing_before_the_first_keyframe_and_then_a_gapless_stream() {
    publishCameraTo("bob");
    assertEquals(0, forward(SpecPackets.vp8(CAMERA_SSRC, 100, 9000, false, 1), 0), "a decoder cannot start on a delta frame");
    assertEquals(1, forward(SpecPackets.vp8(CAMERA_SSRC, 101, 12000, true, 2), 33 * MS));
    assertEquals(1, forward(SpecPackets.vp8(CAMERA_SSRC, 102, 15000, false, 3), 66 * MS));
    RtpPacket first = sent.get(0).rtp();
    RtpPacket second = sent.get(1).rtp();
    assertEquals(bob.outgoingSsrc(), first.ssrc());
    assertEquals(bob.outgoingSsrc(), second.ssrc());
    assertEquals((first.sequenceNumber() + 1) & 0xFFFF, second.sequenceNumber(), "the skipped delta took no number");
    assertEquals(3000, second.timestamp() - first.timestamp(), "timestamps keep the source's spacing");
    assertEquals(2, sent.get(0).packet()[12 + 7], "the payload is the publisher's");
  }

  @Test
  void each_subscriber_gets_its_own_ssrc_and_the_publishers_packet_is_left_as_it_was() {
    publishCameraTo("bob", "carol");
    byte[] keyframe = SpecPackets.vp8(CAMERA_SSRC, 500, 1, true, 9);
    byte[] original = keyframe.clone();
    assertEquals(2, forward(keyframe, 0));
    assertArrayEquals(original, keyframe, "rewriting works on a copy per subscriber");
    assertEquals(bob.outgoingSsrc(), sent.get(0).rtp().ssrc());
    assertEquals(carol.outgoingSsrc(), sent.get(1).rtp().ssrc());
    assertTrue(bob.outgoingSsrc() != carol.outgoingSsrc());
  }

  @Test
  void a_subscribers_nack_is_answered_from_the_cache_under_the_number_it_asked_for() {
    publishCameraTo("bob");
    forward(SpecPackets.vp8(CAMERA_SSRC, 10, 0, true, 1), 0);
    forward(SpecPackets.vp8(CAMERA_SSRC, 11, 0, false, 2), MS);
    forward(SpecPackets.vp8(CAMERA_SSRC, 12, 3000, false, 3), 2 * MS);
    int lost = sent.get(1).rtp().sequenceNumber();
    sent.clear();
    assertEquals(1, forwarder.onNack("bob", bob.outgoingSsrc(), new int[] {lost, (lost + 500) & 0xFFFF}, 2, 3 * MS));
    RtpPacket again = sent.get(0).rtp();
    assertEquals(lost, again.sequenceNumber());
    assertEquals(bob.outgoingSsrc(), again.ssrc());
    assertEquals(2, sent.get(0).packet()[12 + 7], "the packet the subscriber lost, not another");
    assertEquals(0, forwarder.onNack("carol", bob.outgoingSsrc(), new int[] {lost}, 1, 3 * MS),
        "a NACK names the subscriber's own stream only");
  }

  @Test
  void the_publishers_mid_never_reaches_a_subscriber_and_other_extensions_do() {
    publishCameraTo("bob");
    int[] ids = new int[16];
    for (int id = 1; id < ids.length; id++) {
      ids[id] = id;
    }
    ids[4] = 0; // the publisher's mid: it names the publisher's section, another one at the subscriber
    forwarder.source(CAMERA_SSRC).extensionIds(ids);
    byte[] plain = SpecPackets.vp8(CAMERA_SSRC, 7, 0, true, 5);
    // one-byte extensions (RFC 8285): mid (id 4) = "0", abs-send-time (id 3) = 3 bytes
    byte[] extensions = {(byte) 0xBE, (byte) 0xDE, 0, 2, 0x40, '0', 0x32, 1, 2, 3, 0, 0};
    byte[] packet = new byte[plain.length + extensions.length];
    System.arraycopy(plain, 0, packet, 0, 12);
    packet[0] |= 0x10;
    System.arraycopy(extensions, 0, packet, 12, extensions.length);
    System.arraycopy(plain, 12, packet, 12 + extensions.length, plain.length - 12);
    assertEquals(1, forward(packet, 0));
    RtpPacket out = sent.get(0).rtp();
    assertEquals(-1, out.findExtension(4), "a subscriber binding this SSRC to its own section 0 refuses the offer");
    assertTrue(out.findExtension(3) >= 0, "abs-send-time goes through");
    assertEquals(5, sent.get(0).packet()[out.payloadOffset() + 7], "the payload is untouched");
  }

  @Test
  void each_subscriber_gets_the_publishers_extensions_under_its_own_ids() {
    publishCameraTo("bob", "carol");
    int[] toBob = new int[256];
    toBob[3] = 2; // abs-send-time: the publisher's 3 is bob's 2
    bob.extensionIds(toBob);
    byte[] plain = SpecPackets.vp8(CAMERA_SSRC, 7, 0, true, 5);
    // one-byte extensions (RFC 8285): mid (id 4) = "0", abs-send-time (id 3) = 3 bytes
    byte[] extensions = {(byte) 0xBE, (byte) 0xDE, 0, 2, 0x40, '0', 0x32, 1, 2, 3, 0, 0};
    byte[] packet = new byte[plain.length + extensions.length];
    System.arraycopy(plain, 0, packet, 0, 12);
    packet[0] |= 0x10;
    System.arraycopy(extensions, 0, packet, 12, extensions.length);
    System.arraycopy(plain, 12, packet, 12 + extensions.length, plain.length - 12);
    assertEquals(2, forward(packet, 0));
    RtpPacket toBobOut = sent.stream().filter(s -> s.subscriber().equals("bob")).findFirst().orElseThrow().rtp();
    assertTrue(toBobOut.findExtension(2) >= 0, "abs-send-time under bob's id");
    assertEquals(-1, toBobOut.findExtension(3));
    assertEquals(-1, toBobOut.findExtension(4), "nothing bob did not negotiate, the publisher's mid least of all");
    RtpPacket toCarolOut = sent.stream().filter(s -> s.subscriber().equals("carol")).findFirst().orElseThrow().rtp();
    assertTrue(toCarolOut.findExtension(3) >= 0, "carol has no map of her own yet: the ids stay as they were");
  }

  @Test
  void a_keyframe_a_subscriber_cannot_take_yet_does_not_end_its_wait_for_one() {
    boolean[] ready = {false};
    PacketForwarder gated = new PacketForwarder(room, new PacketForwarder.Egress() {
      @Override
      public boolean send(String subscriber, byte[] buf, int off, int len) {
        sent.add(new Sent(subscriber, Arrays.copyOfRange(buf, off, off + len)));
        return true;
      }

      @Override
      public boolean ready(String subscriber) {
        return ready[0];
      }
    });
    Track camera = router.publish("alice", new Track("alice-cam", "alice", Track.Kind.VIDEO, CAMERA_SSRC, 0, 90_000, 96));
    gated.addSource(camera, KeyframeDetector.VP8);
    router.join("r", "bob");
    router.subscribe("bob", "alice-cam");
    byte[] keyframe = SpecPackets.vp8(CAMERA_SSRC, 1, 0, true, 1);
    assertEquals(0, gated.onRtp("alice", keyframe, 0, keyframe.length, 0), "no keys yet: skipped");
    ready[0] = true;
    byte[] delta = SpecPackets.vp8(CAMERA_SSRC, 2, 3000, false, 2);
    assertEquals(0, gated.onRtp("alice", delta, 0, delta.length, MS), "still waiting for a keyframe");
    byte[] next = SpecPackets.vp8(CAMERA_SSRC, 3, 6000, true, 3);
    assertEquals(1, gated.onRtp("alice", next, 0, next.length, 2 * MS));
    assertEquals(3, sent.get(0).packet()[12 + 7], "the stream starts at a keyframe it could take");
  }

  @Test
  void packets_of_an_unpublished_ssrc_and_malformed_packets_go_nowhere() {
    publishCameraTo("bob");
    byte[] stranger = SpecPackets.vp8(CAMERA_SSRC, 1, 1, true, 1);
    stranger[11] = 0x22;
    assertEquals(0, forward(stranger, 0));
    assertEquals(1, forwarder.unknownSource());
    byte[] impostor = SpecPackets.vp8(CAMERA_SSRC, 2, 2, true, 1);
    assertEquals(0, forwarder.onRtp("bob", impostor, 0, impostor.length, 0), "only the owner feeds a track");
    assertEquals(0, forwarder.onRtp("alice", new byte[] {(byte) 0x80, 96, 0}, 0, 3, 0));
    assertEquals(0, forwarder.onRtp("alice", new byte[2000], 0, 2000, 0), "larger than any packet the node forwards");
    assertTrue(sent.isEmpty());
  }

  @Test
  void a_subscriber_without_keys_yet_is_counted_not_retried() {
    List<String> refused = new ArrayList<>();
    PacketForwarder closed = new PacketForwarder(room, (subscriber, buf, off, len) -> refused.add(subscriber) && false);
    Track camera = router.publish("alice", new Track("alice-cam", "alice", Track.Kind.VIDEO, CAMERA_SSRC, 0, 90_000, 96));
    closed.addSource(camera, KeyframeDetector.VP8);
    router.join("r", "bob");
    router.subscribe("bob", "alice-cam");
    byte[] keyframe = SpecPackets.vp8(CAMERA_SSRC, 1, 1, true, 1);
    assertEquals(0, closed.onRtp("alice", keyframe, 0, keyframe.length, 0));
    assertEquals(List.of("bob"), refused);
    assertEquals(1, closed.notDelivered());
  }
}

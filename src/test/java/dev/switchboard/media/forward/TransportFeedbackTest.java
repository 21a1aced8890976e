package dev.switchboard.media.forward;

import dev.switchboard.media.rtp.TransportCcFeedback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class TransportFeedbackTest {
  private static final long MS = 1_000_000L;
  private final TransportFeedback feedback = new TransportFeedback();
  private final byte[] out = new byte[1500];

  private TransportCcFeedback write(long now) {
    int len = feedback.write(out, 0, 1, 0x1234, now);
    assertTrue(len > 0);
    return TransportCcFeedback.read(out, 0, len);
  }

  @Test
  void each_number_is_reported_once_with_its_arrival_and_gaps_as_not_received() {
    feedback.received(65534, 1000 * MS);
    feedback.received(65535, 1002 * MS);
    feedback.received(1, 1010 * MS); // 0 did not arrive; the numbers wrap
    assertFalse(feedback.due(1040 * MS), "not before the interval");
    assertTrue(feedback.due(1050 * MS));
    TransportCcFeedback first = write(1050 * MS);
    assertEquals(65534, first.baseSequence());
    assertEquals(4, first.packetStatusCount());
    assertTrue(first.received(0) && first.received(1) && !first.received(2) && first.received(3));
    assertEquals(2_000, first.arrivalTimeUs(1) - first.arrivalTimeUs(0));
    assertEquals(10_000, first.arrivalTimeUs(3) - first.arrivalTimeUs(0));
    assertEquals(0, first.feedbackCount());

    feedback.received(0, 1055 * MS); // too late: reported lost already
    feedback.received(2, 1060 * MS);
    assertTrue(feedback.due(1100 * MS));
    TransportCcFeedback second = write(1100 * MS);
    assertEquals(2, second.baseSequence(), "continues after the last one reported");
    assertEquals(1, second.packetStatusCount());
    assertEquals(1, second.feedbackCount(), "counted so the sender tells a lost feedback");
    assertFalse(feedback.due(1200 * MS), "nothing new: no feedback");
  }

  @Test
  void packets_out_of_order_are_reported_in_sequence_order() {
    feedback.received(10, 0);
    feedback.received(12, 1 * MS);
    feedback.received(11, 2 * MS);
    TransportCcFeedback report = write(60 * MS);
    assertEquals(3, report.packetStatusCount());
    assertTrue(report.received(1));
    assertEquals(2_000, report.arrivalTimeUs(1) - report.arrivalTimeUs(0), "11 arrived last, at its own time");
    assertEquals(1_000, report.arrivalTimeUs(2) - report.arrivalTimeUs(0));
  }

  /** A VP8 packet with a one-byte header extension: transport-wide sequence number {@code tseq} under id 3. */
  private static byte[] numbered(int ssrc, int seq, int tseq) {
    byte[] plain = SpecPackets.vp8(ssrc, seq, 0, true, 1);
    byte[] extension = {(byte) 0xBE, (byte) 0xDE, 0, 1, 0x31, (byte) (tseq >> 8), (byte) tseq, 0};
    byte[] packet = new byte[plain.length + extension.length];
    System.arraycopy(plain, 0, packet, 0, 12);
    packet[0] |= 0x10;
    System.arraycopy(extension, 0, packet, 12, extension.length);
    System.arraycopy(plain, 12, packet, 12 + extension.length, plain.length - 12);
    return packet;
  }

  @Test
  void the_node_sends_a_publisher_transport_cc_feedback_for_the_packets_it_numbered() {
    Router router = new Router(Router.Limits.defaults(), new SplittableRandom(3));
    RoomMedia room = router.join("r", "alice");
    PacketForwarder forwarder = new PacketForwarder(room, (to, buf, off, len) -> true);
    List<String> rtcpTo = new ArrayList<>();
    List<TransportCcFeedback> sent = new ArrayList<>();
    RtcpFeedback rtcp = new RtcpFeedback(room, forwarder, (to, buf, off, len) -> {
      TransportCcFeedback read = TransportCcFeedback.read(buf, off, len);
      if (read != null) {
        rtcpTo.add(to);
        sent.add(read);
      }
      return true;
    });
    Track camera = router.publish("alice", new Track("cam", "alice", Track.Kind.VIDEO, 0x1111, 0, 90_000, 96));
    forwarder.addSource(camera, KeyframeDetector.VP8).transportCcId(3);
    for (int i = 0; i < 5; i++) {
      byte[] packet = numbered(0x1111, 100 + i, 7 + i);
      forwarder.onRtp("alice", packet, 0, packet.length, i * MS);
    }
    rtcp.tick(20 * MS);
    assertTrue(sent.isEmpty(), "not before its interval");
    rtcp.tick(60 * MS);
    assertEquals(List.of("alice"), rtcpTo);
    assertEquals(7, sent.get(0).baseSequence());
    assertEquals(5, sent.get(0).packetStatusCount());
  }

  @Test
  void a_publisher_getting_transport_cc_feedback_is_sent_the_remb_cap_not_the_loss_driven_ramp() {
    Router router = new Router(Router.Limits.defaults(), new SplittableRandom(5));
    RoomMedia room = router.join("r", "alice");
    PacketForwarder forwarder = new PacketForwarder(room, (to, buf, off, len) -> true);
    List<Long> rembs = new ArrayList<>();
    RtcpFeedback rtcp = new RtcpFeedback(room, forwarder, (to, buf, off, len) -> {
      dev.switchboard.media.rtp.RtcpCompound compound = new dev.switchboard.media.rtp.RtcpCompound();
      compound.reset(buf, off, len);
      while (compound.next()) {
        dev.switchboard.media.rtp.Remb remb = compound.type() == dev.switchboard.media.rtp.RtcpHeader.PSFB
            ? dev.switchboard.media.rtp.Remb.read(buf, compound.offset(), compound.length()) : null;
        if (remb != null) {
          rembs.add(remb.bitrate());
        }
      }
      return true;
    });
    Track camera = router.publish("alice", new Track("cam", "alice", Track.Kind.VIDEO, 0x1111, 0, 90_000, 96));
    forwarder.addSource(camera, KeyframeDetector.VP8).transportCcId(3);
    for (int i = 0; i < 20; i++) {
      byte[] packet = numbered(0x1111, 100 + i, 7 + i);
      forwarder.onRtp("alice", packet, 0, packet.length, i * 33 * MS);
    }
    rtcp.reports(1000 * MS);
    assertEquals(1, rembs.size());
    assertTrue(rembs.get(0) >= BandwidthFeedback.DEFAULT_MAX_VIDEO_BPS * 99 / 100,
        "Chrome's own estimate is not held to a ramp from 300 kbps: " + rembs);
  }
}

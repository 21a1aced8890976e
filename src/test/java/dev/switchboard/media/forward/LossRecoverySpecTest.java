package dev.switchboard.media.forward;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The parts together, as the packet thread will use them: a subscriber's NACK answered from the publisher's cache. */
@Timeout(5)
class LossRecoverySpecTest {
  private static final int PUBLISHER = 0x5151_5151;

  private static long ms(long v) {
    return v * 1_000_000L;
  }

  private static byte[] packet(int seq) {
    return new byte[] {(byte) 0x80, 96, (byte) (seq >> 8), (byte) seq, 1, 2, 3};
  }

  @Test
  void a_subscribers_nack_is_answered_from_the_publishers_cache_through_the_rewriter() {
    PacketCache cache = new PacketCache(64, 1500, ms(1000));
    Track cam = new Track("cam", "alice", Track.Kind.VIDEO, PUBLISHER, 0, 90_000, 96);
    Downstream bob = new Downstream("bob", cam, 0x0B0B_0B0B, 0x0B0B_0B0C, 65_530, 0, 0);
    int[] outgoing = new int[10];
    for (int i = 0; i < 10; i++) {
      int seq = 40_000 + i;
      cache.put(seq, packet(seq), 0, 7, ms(i));
      outgoing[i] = bob.rewriter().forward(PUBLISHER, seq, 3000L * i, ms(i));
    }
    // bob lost the packet sent as outgoing[7] (the numbers wrapped on the way) and NACKs it
    long source = bob.rewriter().toSource(outgoing[7]);
    assertEquals(PUBLISHER, StreamRewriter.ssrcOf(source));
    assertArrayEquals(packet(40_007), cache.get(StreamRewriter.seqOf(source), ms(20)));
    assertEquals(1, outgoing[7]);
    assertNull(cache.get(StreamRewriter.seqOf(source), ms(2000)), "too old to be worth sending");
  }

  @Test
  void video_before_the_first_keyframe_is_skipped_and_the_subscriber_sees_no_gap() {
    Track cam = new Track("cam", "alice", Track.Kind.VIDEO, PUBLISHER, 0, 90_000, 96);
    Downstream bob = new Downstream("bob", cam, 7, 8, 100, 0, 0);
    KeyframeRequests keyframes = new KeyframeRequests();
    assertEquals(true, keyframes.request(0), "a new subscription asks for a keyframe");
    int[] sent = new int[6];
    int n = 0;
    for (int seq = 1; seq <= 8; seq++) {
      boolean keyframeStart = seq == 4;
      if (keyframeStart) {
        bob.awaitingKeyframe(false);
        keyframes.keyframeReceived();
      }
      if (bob.awaitingKeyframe()) {
        bob.rewriter().skip(PUBLISHER, seq, ms(seq));
      } else {
        sent[n++] = bob.rewriter().forward(PUBLISHER, seq, 3000L * seq, ms(seq));
        bob.sent(3);
      }
    }
    assertEquals(5, n);
    assertArrayEquals(new int[] {100, 101, 102, 103, 104, 0}, sent);
    assertEquals(5, bob.packetsSent());
  }
}

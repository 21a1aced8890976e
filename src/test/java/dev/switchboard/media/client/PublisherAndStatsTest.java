package dev.switchboard.media.client;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class PublisherAndStatsTest {
  @Test
  void vp8_frames_are_split_marked_stamped_and_keyframes_come_every_n_frames() {
    Vp8Publisher video = new Vp8Publisher(7, 96, 30, 2_000_000, 5);
    List<List<Vp8Publisher.Packet>> frames = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      frames.add(video.nextFrame());
    }

    for (int f = 0; f < frames.size(); f++) {
      List<Vp8Publisher.Packet> frame = frames.get(f);
      Vp8Publisher.Packet first = frame.get(0);
      assertEquals(f % 5 == 0, Vp8Publisher.isKeyframe(first.payload(), 0, first.payload().length), "frame " + f);
      for (int i = 0; i < frame.size(); i++) {
        Vp8Publisher.Packet p = frame.get(i);
        assertTrue(p.payload().length <= Vp8Publisher.MAX_PAYLOAD);
        assertEquals(i == frame.size() - 1, p.marker());
        assertEquals(first.timestamp(), p.timestamp());
        assertTrue(Vp8Publisher.sendNanos(p.payload(), 0, p.payload().length) > 0);
        assertEquals(i == 0, (p.payload()[0] & 0x10) != 0, "S only on a frame's first packet");
        assertFalse(i > 0 && Vp8Publisher.isKeyframe(p.payload(), 0, p.payload().length));
      }
      if (f > 0) {
        Vp8Publisher.Packet previousLast = frames.get(f - 1).get(frames.get(f - 1).size() - 1);
        assertEquals((previousLast.sequence() + 1) & 0xffff, first.sequence());
        assertEquals((previousLast.timestamp() + 3000) & 0xffffffffL, first.timestamp(), "90 kHz at 30 fps");
        int pictureId = ((first.payload()[2] & 0x7f) << 8) | (first.payload()[3] & 0xff);
        int previousId = ((previousLast.payload()[2] & 0x7f) << 8) | (previousLast.payload()[3] & 0xff);
        assertEquals((previousId + 1) & 0x7fff, pictureId);
      }
    }
    assertTrue(frames.get(0).size() > 1, "a 2 Mbps keyframe takes several packets");
    long bytes = frames.stream().limit(5).flatMap(List::stream).mapToLong(p -> p.payload().length).sum();
    assertEquals(2_000_000 / 8 / 6, bytes, 2_000_000 / 8 / 6 / 10, "one keyframe interval carries its bitrate share");
  }

  @Test
  void receiver_stats_count_gaps_across_the_sequence_wrap_and_reordering() {
    ReceiverStats stats = new ReceiverStats();
    int[] sequences = {65533, 65534, 0, 2, 1, 4}; // 65535 and 3 lost, 1 late
    for (int seq : sequences) {
      stats.record(seq, 1_000, 1_000 + seq);
    }
    stats.record(5, -1, 0); // no send time

    assertEquals(7, stats.received());
    assertEquals(2, stats.lost());
    assertEquals(6, stats.latencySamples());
    assertEquals(65534, stats.latencyQuantileNanos(1.0));
    assertEquals(0, stats.latencyQuantileNanos(0.0));
  }
}

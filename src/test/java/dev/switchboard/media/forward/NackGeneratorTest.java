package dev.switchboard.media.forward;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class NackGeneratorTest {
  private final int[] out = new int[64];

  private static long ms(long v) {
    return v * 1_000_000L;
  }

  private int[] pending(NackGenerator nacks, long now) {
    return Arrays.copyOf(out, nacks.pending(now, out));
  }

  @Test
  void a_gap_is_nacked_only_after_the_reorder_delay() {
    NackGenerator nacks = new NackGenerator(); // 20 ms
    nacks.received(10, 0);
    nacks.received(13, ms(1));
    assertArrayEquals(new int[0], pending(nacks, ms(10)));
    assertArrayEquals(new int[] {11, 12}, pending(nacks, ms(21)));
  }

  @Test
  void a_reordered_packet_arriving_within_the_delay_is_never_nacked() {
    NackGenerator nacks = new NackGenerator();
    nacks.received(10, 0);
    nacks.received(12, ms(1));
    nacks.received(11, ms(5));
    assertArrayEquals(new int[0], pending(nacks, ms(50)));
    assertEquals(0, nacks.missing());
  }

  @Test
  void nack_is_retried_at_rtt_intervals_and_abandoned_after_max_age() {
    NackGenerator nacks = new NackGenerator(ms(20), 100, ms(1000), 500);
    nacks.rtt(ms(150));
    nacks.received(1, 0);
    nacks.received(3, 0);
    assertArrayEquals(new int[] {2}, pending(nacks, ms(20)));
    assertArrayEquals(new int[0], pending(nacks, ms(169)));
    assertArrayEquals(new int[] {2}, pending(nacks, ms(170)));
    int sent = 2;
    for (long t = ms(171); t <= ms(1000); t += ms(1)) {
      sent += nacks.pending(t, out);
    }
    assertEquals(2 + 5, sent, "at 320, 470, 620, 770, 920 ms");
    assertArrayEquals(new int[0], pending(nacks, ms(1001)));
    assertEquals(0, nacks.missing());
    assertEquals(1, nacks.abandoned());
  }

  @Test
  void nack_is_retried_a_bounded_number_of_times() {
    NackGenerator nacks = new NackGenerator(ms(20), 3, ms(10_000), 500);
    nacks.received(1, 0);
    nacks.received(3, 0);
    int sent = 0;
    for (long t = 0; t < ms(5000); t += ms(10)) {
      sent += nacks.pending(t, out);
    }
    assertEquals(3, sent);
    assertEquals(0, nacks.missing());
  }

  @Test
  void the_default_rtt_is_100_ms() {
    NackGenerator nacks = new NackGenerator();
    nacks.received(1, 0);
    nacks.received(3, 0);
    assertEquals(1, nacks.pending(ms(20), out));
    assertEquals(0, nacks.pending(ms(119), out));
    assertEquals(1, nacks.pending(ms(120), out));
  }

  @Test
  void a_retransmission_clears_its_number() {
    NackGenerator nacks = new NackGenerator();
    nacks.received(1, 0);
    nacks.received(5, 0);
    assertArrayEquals(new int[] {2, 3, 4}, pending(nacks, ms(20)));
    nacks.received(3, ms(60));
    assertArrayEquals(new int[] {2, 4}, pending(nacks, ms(120)));
    assertEquals(1, nacks.recovered());
  }

  @Test
  void gaps_across_the_wraparound_at_65535_are_tracked() {
    NackGenerator nacks = new NackGenerator();
    nacks.received(65533, 0);
    nacks.received(1, 0);
    assertArrayEquals(new int[] {65534, 65535, 0}, pending(nacks, ms(20)));
    nacks.received(65535, ms(30));
    nacks.received(0, ms(30));
    assertArrayEquals(new int[] {65534}, pending(nacks, ms(120)));
  }

  @Test
  void duplicates_and_stale_packets_change_nothing() {
    NackGenerator nacks = new NackGenerator();
    nacks.received(100, 0);
    nacks.received(102, 0);
    nacks.received(102, 0);
    nacks.received(50, 0);
    assertArrayEquals(new int[] {101}, pending(nacks, ms(20)));
  }

  @Test
  void too_many_missing_packets_ask_for_a_keyframe_instead() {
    NackGenerator nacks = new NackGenerator();
    nacks.received(1, 0);
    nacks.received(400, 0);
    assertFalse(nacks.takeKeyframeRequest());
    nacks.received(600, 0); // 398 + 199 missing > 500
    assertTrue(nacks.takeKeyframeRequest());
    assertFalse(nacks.takeKeyframeRequest(), "once");
    assertEquals(0, nacks.missing());
    assertArrayEquals(new int[0], pending(nacks, ms(100)));
    nacks.received(602, ms(100));
    assertArrayEquals(new int[] {601}, pending(nacks, ms(120)));
  }

  @Test
  void a_keyframe_makes_older_gaps_pointless() {
    NackGenerator nacks = new NackGenerator();
    nacks.received(1, 0);
    nacks.received(3, 0);
    nacks.received(7, 0); // 2, 4, 5, 6 missing
    nacks.received(5, ms(2)); // the first packet of a keyframe, late
    nacks.keyframe(5);
    assertArrayEquals(new int[] {6}, pending(nacks, ms(20)));
  }

  @Test
  void the_list_is_bounded_by_the_callers_array_and_the_rest_follows_next_time() {
    NackGenerator nacks = new NackGenerator();
    nacks.received(0, 0);
    nacks.received(101, 0);
    int[] small = new int[40];
    assertEquals(40, nacks.pending(ms(20), small));
    assertEquals(1, small[0]);
    assertEquals(40, nacks.pending(ms(21), small));
    assertEquals(41, small[0]);
    assertEquals(20, nacks.pending(ms(22), small));
  }

  @Test
  void holes_left_by_recoveries_do_not_fill_the_ring() {
    NackGenerator nacks = new NackGenerator(ms(20), 10, ms(1000), 10);
    int seq = 0;
    nacks.received(seq, 0);
    for (int round = 0; round < 1000; round++) {
      // the oldest gap stays missing, newer ones are recovered: tombstones pile up behind a live head
      seq += 2;
      nacks.received(seq, 0);
      if (round > 0) {
        nacks.received(seq - 1, 0);
      }
    }
    assertEquals(1, nacks.missing());
    assertArrayEquals(new int[] {1}, pending(nacks, ms(20)));
  }
}

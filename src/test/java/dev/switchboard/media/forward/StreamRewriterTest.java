package dev.switchboard.media.forward;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.switchboard.media.forward.StreamRewriter.DROP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class StreamRewriterTest {
  private static final int OUT = 0x0BADCAFE;
  private static final int A = 0x11111111;
  private static final int B = 0xF2222222;

  private static long ms(long v) {
    return v * 1_000_000L;
  }

  @Test
  void a_subscriber_sees_its_own_ssrc_numbers_and_timestamps_starting_at_the_random_initial_ones() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 5000, 1_000_000L);
    for (int i = 0; i < 5; i++) {
      assertEquals(5000 + i, r.forward(A, 100 + i, 777_000L + 3000L * i, ms(33 * i)));
      assertEquals(1_000_000L + 3000L * i, r.timestamp(777_000L + 3000L * i));
    }
    assertEquals(OUT, r.outgoingSsrc());
    assertEquals(5004, r.highestSeq());
  }

  @Test
  void sequence_numbers_continue_through_wraparound_at_65535_on_both_sides() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 65534, 0);
    int[] source = {65533, 65534, 65535, 0, 1, 2};
    int[] expected = {65534, 65535, 0, 1, 2, 3};
    for (int i = 0; i < source.length; i++) {
      assertEquals(expected[i], r.forward(A, source[i], 3000L * i, ms(i)));
    }
  }

  @Test
  void timestamps_wrap_at_32_bits() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 0, 0xFFFF_FF00L);
    r.forward(A, 1, 10_000L, 0);
    assertEquals(0xFFFF_FF00L, r.timestamp(10_000L));
    r.forward(A, 2, 13_000L, ms(33));
    assertEquals(3000 - 256, r.timestamp(13_000L));
    r.forward(A, 3, 0xFFFF_FFFFL, ms(66)); // the source wraps too
    assertEquals((0xFFFF_FFFFL - 10_000L + 0xFFFF_FF00L) & 0xFFFF_FFFFL, r.timestamp(0xFFFF_FFFFL));
  }

  @Test
  void a_reordered_packet_maps_to_the_number_and_timestamp_it_would_have_had_in_order() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 100, 0);
    assertEquals(100, r.forward(A, 10, 0, 0));
    assertEquals(102, r.forward(A, 12, 6000, ms(40)));
    assertEquals(101, r.forward(A, 11, 3000, ms(41)));
    assertEquals(3000, r.timestamp(3000));
    assertEquals(103, r.forward(A, 13, 9000, ms(60)));
  }

  @Test
  void a_duplicate_is_dropped() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 100, 0);
    r.forward(A, 10, 0, 0);
    r.forward(A, 11, 0, 0);
    assertEquals(DROP, r.forward(A, 11, 0, 0));
    assertEquals(DROP, r.forward(A, 10, 0, 0));
    assertEquals(102, r.forward(A, 12, 0, 0));
    assertEquals(2, r.dropped());
  }

  @Test
  void a_lost_source_packet_keeps_its_number_so_the_subscriber_nacks_it_and_the_nack_maps_back_to_the_source() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 100, 0);
    r.forward(A, 10, 0, 0);
    assertEquals(102, r.forward(A, 12, 0, 0));
    long source = r.toSource(101);
    assertEquals(A, StreamRewriter.ssrcOf(source));
    assertEquals(11, StreamRewriter.seqOf(source));
    assertEquals(10, StreamRewriter.seqOf(r.toSource(100)));
    assertEquals(-1, r.toSource(103), "not sent yet");
  }

  @Test
  void skipped_packets_leave_no_gap_in_the_outgoing_numbers() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 100, 0);
    assertEquals(100, r.forward(A, 1, 0, 0));
    r.skip(A, 2, 0);
    r.skip(A, 3, 0);
    assertEquals(101, r.forward(A, 4, 0, 0));
    assertEquals(102, r.forward(A, 5, 0, 0));
    assertEquals(4, StreamRewriter.seqOf(r.toSource(101)));
    assertEquals(DROP, r.forward(A, 3, 0, 0), "a skipped packet arriving again has no number");
  }

  @Test
  void packets_skipped_before_the_first_keyframe_take_no_numbers() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 100, 50_000L);
    for (int seq = 1; seq <= 5; seq++) {
      r.skip(A, seq, ms(seq));
    }
    assertFalse(r.started());
    assertEquals(100, r.forward(A, 6, 123_456L, ms(6)));
    assertEquals(50_000L, r.timestamp(123_456L));
    assertEquals(DROP, r.forward(A, 4, 120_000L, ms(7)), "older than the first forwarded packet");
  }

  @Test
  void a_late_packet_skipped_after_its_number_was_reserved_cannot_be_retransmitted() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 100, 0);
    r.forward(A, 1, 0, 0);
    assertEquals(102, r.forward(A, 3, 0, 0));
    assertEquals(2, StreamRewriter.seqOf(r.toSource(101)));
    r.skip(A, 2, 0);
    assertEquals(-1, r.toSource(101));
    assertEquals(DROP, r.forward(A, 2, 0, 0));
  }

  @Test
  void a_subscriber_sees_continuous_sequence_numbers_when_the_source_switches() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 65534, 4_000_000_000L);
    for (int i = 0; i < 5; i++) {
      r.forward(A, 1000 + i, 10_000L + 1800L * i, ms(20 * i)); // 50 fps
    }
    long lastTs = r.timestamp(10_000L + 1800L * 4);
    // republished 120 ms after the last packet: new SSRC, unrelated numbering and timestamps
    int out = r.forward(B, 50_000, 987_654_321L, ms(80 + 120));
    assertEquals((65534 + 5) & 0xFFFF, out);
    assertEquals((lastTs + 120 * 90) & 0xFFFF_FFFFL, r.timestamp(987_654_321L), "timestamp advanced by the wall clock");
    assertEquals((65534 + 6) & 0xFFFF, r.forward(B, 50_001, 987_654_321L + 1800, ms(220)));
    assertEquals((lastTs + 120 * 90 + 1800) & 0xFFFF_FFFFL, r.timestamp(987_654_321L + 1800));
    assertEquals(1, r.switches());
    assertEquals(B, r.sourceSsrc());
  }

  @Test
  void after_a_switch_the_old_sources_numbers_still_map_back_to_it() {
    StreamRewriter r = new StreamRewriter(OUT, 48_000, 10, 0);
    r.forward(A, 7, 0, 0);
    r.forward(A, 9, 960 * 2, ms(40));
    r.forward(B, 300, 5, ms(60));
    assertEquals(A, StreamRewriter.ssrcOf(r.toSource(11)));
    assertEquals(8, StreamRewriter.seqOf(r.toSource(11)));
    assertEquals(B, StreamRewriter.ssrcOf(r.toSource(13)));
    assertEquals(-1, r.timestamp(A, 960), "a sender report of the old source is not translated");
    assertTrue(r.timestamp(B, 5) >= 0);
  }

  @Test
  void switching_back_to_an_earlier_source_is_another_continuous_switch() {
    StreamRewriter r = new StreamRewriter(OUT, 48_000, 10, 0);
    r.forward(A, 7, 0, 0);
    r.forward(B, 300, 5, ms(20));
    assertEquals(12, r.forward(A, 8, 960, ms(40)));
    assertEquals(960 * 2, r.timestamp(960));
    assertEquals(2, r.switches());
  }

  @Test
  void a_new_source_waiting_for_its_keyframe_does_not_disturb_the_current_one() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 0, 0);
    r.forward(A, 1, 0, 0);
    r.skip(B, 500, ms(1));
    assertEquals(1, r.forward(A, 2, 3000, ms(33)));
    r.skip(B, 501, ms(34));
    assertEquals(2, r.forward(B, 502, 90_000, ms(66)));
    assertEquals(3000 + 33 * 90, r.timestamp(90_000));
  }

  @Test
  void nacks_map_back_only_within_the_window() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 0, 0);
    for (int i = 0; i < 3000; i++) {
      r.forward(A, i, 0, 0);
    }
    assertEquals(2999, StreamRewriter.seqOf(r.toSource(2999)));
    assertEquals(2999 - StreamRewriter.WINDOW + 1, StreamRewriter.seqOf(r.toSource(2999 - StreamRewriter.WINDOW + 1)));
    assertEquals(-1, r.toSource(2999 - StreamRewriter.WINDOW));
    assertEquals(-1, r.toSource(0));
  }

  @Test
  void a_jump_beyond_the_window_restarts_the_numbering_without_a_gap() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 0, 0);
    r.forward(A, 1, 0, 0);
    r.forward(A, 2, 3000, ms(33));
    assertEquals(2, r.forward(A, 20_000, 1_000_000L, ms(533)));
    assertEquals(3000 + 500 * 90, r.timestamp(1_000_000L));
    assertEquals(3, r.forward(A, 20_001, 1_003_000L, ms(566)));
  }

  @Test
  void a_source_restarting_its_numbering_lower_is_followed_after_a_few_packets() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 0, 0);
    for (int i = 0; i < 10; i++) {
      r.forward(A, 40_000 + i, 0, 0);
    }
    // 20000 is 20009 behind 40009: a stale packet, unless more follow
    assertEquals(DROP, r.forward(A, 20_000, 0, ms(1)));
    assertEquals(DROP, r.forward(A, 20_001, 0, ms(1)));
    assertEquals(DROP, r.forward(A, 20_002, 0, ms(1)));
    assertEquals(10, r.forward(A, 20_003, 0, ms(1)));
    assertEquals(11, r.forward(A, 20_004, 0, ms(1)));
  }

  @Test
  void forwarding_does_not_allocate() {
    StreamRewriter r = new StreamRewriter(OUT, 90_000, 0, 0);
    r.forward(A, 0, 0, 0);
    com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = bean.getCurrentThreadAllocatedBytes();
    long sum = 0;
    for (int i = 1; i < 100_000; i++) {
      sum += r.forward(A, i, 3000L * i, i);
      sum += r.timestamp(3000L * i);
      if (i % 7 == 0) {
        r.skip(A, ++i, i);
      }
    }
    long allocated = bean.getCurrentThreadAllocatedBytes() - before;
    assertTrue(sum != 0);
    assertTrue(allocated < 4096, "allocated " + allocated + " bytes");
  }
}

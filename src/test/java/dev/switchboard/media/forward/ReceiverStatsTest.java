package dev.switchboard.media.forward;

import dev.switchboard.media.rtp.ReportBlock;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class ReceiverStatsTest {
  private static final int SSRC = 0xCAFEBABE;

  private static long ms(long v) {
    return v * 1_000_000L;
  }

  @Test
  void a_source_counts_after_two_sequential_packets_as_rfc_3550_a1_says() {
    ReceiverStats s = new ReceiverStats(SSRC, 90_000);
    assertFalse(s.received(1000, 0, 0));
    assertNull(s.report(0));
    assertTrue(s.received(1001, 3000, ms(33)));
    assertTrue(s.valid());
    ReportBlock r = s.report(ms(40));
    assertEquals(SSRC, r.ssrc());
    assertEquals(1001, r.extendedHighestSequence());
    assertEquals(0, r.cumulativeLost());
  }

  @Test
  void fraction_lost_is_per_report_interval_and_cumulative_lost_keeps_counting() {
    ReceiverStats s = new ReceiverStats(SSRC, 90_000);
    s.received(1000, 0, 0); // probation: the count starts at 1001
    for (int seq = 1001; seq <= 1100; seq++) {
      if (seq % 10 != 5) {
        s.received(seq, 0, 0);
      }
    }
    ReportBlock first = s.report(0);
    assertEquals(10 * 256 / 100, first.fractionLost());
    assertEquals(10, first.cumulativeLost());
    assertEquals(1100, first.extendedHighestSequence());
    for (int seq = 1101; seq <= 1200; seq++) {
      s.received(seq, 0, 0);
    }
    ReportBlock second = s.report(0);
    assertEquals(0, second.fractionLost());
    assertEquals(10, second.cumulativeLost());
    assertEquals(10 * 256 / 100, first.fractionLost());
  }

  @Test
  void a_late_retransmission_lowers_the_loss_and_duplicates_never_make_the_fraction_negative() {
    ReceiverStats s = new ReceiverStats(SSRC, 90_000);
    s.received(0, 0, 0);
    s.received(1, 0, 0);
    s.received(3, 0, 0);
    assertEquals(1, s.report(0).cumulativeLost());
    s.received(2, 0, 0);
    s.received(3, 0, 0);
    s.received(3, 0, 0);
    ReportBlock r = s.report(0);
    assertEquals(0, r.fractionLost());
    assertEquals(-2, r.cumulativeLost(), "RFC 3550: duplicates make it negative");
  }

  @Test
  void the_extended_highest_sequence_number_counts_wraparounds_at_65535() {
    ReceiverStats s = new ReceiverStats(SSRC, 48_000);
    for (int i = 0; i < 20; i++) {
      s.received((65530 + i) & 0xFFFF, 960L * i, ms(20 * i));
    }
    ReportBlock r = s.report(ms(400));
    assertEquals(65536 + 13, r.extendedHighestSequence());
    assertEquals(0, r.cumulativeLost());
  }

  @Test
  void a_confirmed_jump_restarts_the_count() {
    ReceiverStats s = new ReceiverStats(SSRC, 90_000);
    for (int seq = 100; seq < 110; seq++) {
      s.received(seq, 0, 0);
    }
    assertFalse(s.received(30_000, 0, 0), "one packet far off is not believed");
    assertTrue(s.received(30_001, 0, 0), "a second, sequential one is");
    s.received(30_002, 0, 0);
    ReportBlock r = s.report(0);
    assertEquals(30_002, r.extendedHighestSequence());
    assertEquals(0, r.cumulativeLost());
  }

  @Test
  void jitter_follows_the_worked_example() {
    ReceiverStats s = new ReceiverStats(SSRC, 90_000);
    // 20 ms frames (1800 ticks); the third arrives 5 ms late: D = 450, 450
    s.received(1, 0, 0);
    s.received(2, 1800, ms(20));
    s.received(3, 3600, ms(45));
    assertEquals(28, s.jitter()); // 450/16
    s.received(4, 5400, ms(60));
    assertEquals(54, s.jitter()); // 28.125 + (450 - 28.125)/16
  }

  @Test
  void jitter_matches_the_rfc_3550_formula_over_a_random_stream() {
    ReceiverStats s = new ReceiverStats(SSRC, 90_000);
    Random random = new Random(7);
    double j = 0;
    long prevTransit = 0;
    long ts = 4_000_000_000L; // wraps at 2^32 on the way
    for (int i = 0; i < 5000; i++) {
      long sentMicros = 33_333L * i;
      long arrivalMicros = sentMicros + 10_000 + random.nextInt(30_000);
      long rtp = (ts + sentMicros * 90 / 1000) & 0xFFFF_FFFFL;
      s.received((60_000 + i) & 0xFFFF, rtp, arrivalMicros * 1000);
      long transit = (int) (arrivalMicros * 90 / 1000 - rtp);
      if (i > 0) {
        long d = Math.abs((int) (transit - prevTransit));
        j += (d - j) / 16; // RFC 3550 §6.4.1: J(i) = J(i-1) + (|D(i-1,i)| - J(i-1))/16
      }
      prevTransit = transit;
    }
    assertEquals(j, s.jitter(), 2.0);
    assertTrue(j > 500 && j < 1500, "about 10 ms of jitter at 90 kHz: " + j);
  }

  @Test
  void lsr_and_dlsr_come_from_the_last_sender_report() {
    ReceiverStats s = new ReceiverStats(SSRC, 90_000);
    s.received(1, 0, 0);
    s.received(2, 0, 0);
    ReportBlock none = s.report(ms(10));
    assertEquals(0, none.lastSenderReport());
    assertEquals(0, none.delaySinceLastSenderReport());
    s.senderReport(0x0123_4567_89AB_CDEFL, ms(1000));
    ReportBlock r = s.report(ms(1500));
    assertEquals(0x4567_89ABL, Integer.toUnsignedLong(r.lastSenderReport()));
    assertEquals(32_768, r.delaySinceLastSenderReport()); // half a second in 1/65536 s
  }

  @Test
  void receiving_does_not_allocate() {
    ReceiverStats s = new ReceiverStats(SSRC, 90_000);
    s.received(0, 0, 0);
    com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long before = bean.getCurrentThreadAllocatedBytes();
    for (int i = 1; i < 100_000; i++) {
      s.received(i & 0xFFFF, 3000L * i, ms(33) * i);
    }
    long allocated = bean.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 4096, "allocated " + allocated);
  }
}

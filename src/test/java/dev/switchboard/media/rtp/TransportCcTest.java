package dev.switchboard.media.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class TransportCcTest {
  private static final int SENDER = 0xfa17fa17;
  private static final int MEDIA = 0x1d2c3b4a;
  private static final long REFERENCE_US = 5 * 64_000;

  private final TransportCcBuilder builder = new TransportCcBuilder(4096);
  private final byte[] out = new byte[1500];

  private int chunk(int index) {
    return Bytes.u16(out, 20 + 2 * index);
  }

  @Test
  void four_packets_with_one_lost_are_a_one_bit_status_vector_and_three_small_deltas() {
    builder.reset(SENDER, MEDIA, 100, REFERENCE_US + 1000, 7);
    assertTrue(builder.addReceived(100, REFERENCE_US + 1000));
    assertTrue(builder.addReceived(101, REFERENCE_US + 2250));
    assertTrue(builder.addReceived(103, REFERENCE_US + 4250));
    assertEquals(4, builder.packetStatusCount());
    assertEquals(28, builder.write(out, 0));
    // P set and 3 bytes of padding: 20 + one chunk + 3 deltas = 25, padded to 28
    assertEquals(Hex.of(Hex.bytes("af cd 00 06 | fa 17 fa 17 | 1d 2c 3b 4a | 00 64 00 04 | 00 00 05 07"
        + "| b4 00 04 05 | 08 00 00 03"), 0, 28), Hex.of(out, 0, 28));

    TransportCcFeedback feedback = TransportCcFeedback.read(out, 0, 28);
    assertEquals(SENDER, feedback.senderSsrc());
    assertEquals(MEDIA, feedback.mediaSsrc());
    assertEquals(100, feedback.baseSequence());
    assertEquals(5, feedback.referenceTime());
    assertEquals(7, feedback.feedbackCount());
    assertEquals(4, feedback.packetStatusCount());
    assertTrue(feedback.received(0));
    assertFalse(feedback.received(2));
    assertEquals(103, feedback.sequenceNumber(3));
    assertEquals(REFERENCE_US + 1000, feedback.arrivalTimeUs(0));
    assertEquals(REFERENCE_US + 2250, feedback.arrivalTimeUs(1));
    assertEquals(REFERENCE_US + 4250, feedback.arrivalTimeUs(3));
  }

  @Test
  void long_runs_become_run_length_chunks_for_received_and_lost_packets() {
    builder.reset(SENDER, MEDIA, 1000, REFERENCE_US, 0);
    for (int i = 0; i < 20; i++) {
      assertTrue(builder.addReceived(1000 + i, REFERENCE_US + 1000L * i));
    }
    assertTrue(builder.addReceived(4020, REFERENCE_US + 25_000)); // 3000 lost between
    int length = builder.write(out, 0);
    assertEquals(0x2000 | 20, chunk(0), "20 received with small deltas");
    assertEquals(3000, chunk(1), "3000 not received");
    assertEquals(0x2000 | 1, chunk(2), "the last one alone");
    assertEquals(20 + 6 + 21 + 1, length);

    TransportCcFeedback feedback = TransportCcFeedback.read(out, 0, length);
    assertEquals(3021, feedback.packetStatusCount());
    assertEquals(REFERENCE_US + 19_000, feedback.arrivalTimeUs(19));
    assertFalse(feedback.received(20));
    assertFalse(feedback.received(3019));
    assertEquals(REFERENCE_US + 25_000, feedback.arrivalTimeUs(3020));
  }

  @Test
  void a_gap_of_more_than_63_75_ms_and_a_reordered_arrival_need_large_deltas_in_two_bit_vectors() {
    builder.reset(SENDER, MEDIA, 65534, REFERENCE_US, 1);
    assertTrue(builder.addReceived(65534, REFERENCE_US + 500)); // 2 ticks, small
    assertTrue(builder.addReceived(65535, REFERENCE_US + 100_500)); // +100 ms = 400 ticks: large
    assertTrue(builder.addReceived(1, REFERENCE_US + 99_500)); // 0 lost; 1 arrived 1 ms earlier: negative
    assertTrue(builder.addReceived(2, REFERENCE_US + 99_750)); // +1 tick
    int length = builder.write(out, 0);
    // 1 small, 2 large, 0 lost, 2 large, 1 small: seven two-bit symbols, the last two unused
    assertEquals(0xc000 | 0b01_10_00_10_01_00_00, chunk(0));
    assertEquals("020190fffc01", Hex.of(out, 22, 6), "2 ticks, 400, -4, 1");
    TransportCcFeedback feedback = TransportCcFeedback.read(out, 0, length);
    assertEquals(5, feedback.packetStatusCount());
    assertEquals(65535, feedback.sequenceNumber(1));
    assertEquals(0, feedback.sequenceNumber(2));
    assertTrue(feedback.largeDelta(1));
    assertTrue(feedback.largeDelta(3));
    assertFalse(feedback.largeDelta(4));
    assertEquals(REFERENCE_US + 500, feedback.arrivalTimeUs(0));
    assertEquals(REFERENCE_US + 100_500, feedback.arrivalTimeUs(1));
    assertFalse(feedback.received(2));
    assertEquals(REFERENCE_US + 99_500, feedback.arrivalTimeUs(3));
    assertEquals(REFERENCE_US + 99_750, feedback.arrivalTimeUs(4));
  }

  @Test
  void a_gap_in_time_beyond_a_large_delta_is_refused_so_a_new_feedback_starts() {
    builder.reset(SENDER, MEDIA, 1, REFERENCE_US, 0);
    assertTrue(builder.addReceived(1, REFERENCE_US));
    assertTrue(builder.addReceived(2, REFERENCE_US + 8_000_000), "8 s: 32000 ticks still fit");
    assertFalse(builder.addReceived(3, REFERENCE_US + 17_000_000), "9 s more does not");
    assertFalse(builder.addReceived(2, REFERENCE_US + 8_000_001), "not after the last one added");
    assertEquals(2, builder.packetStatusCount());
  }

  @Test
  void arrival_times_are_rounded_down_to_250_microseconds_without_drift() {
    builder.reset(SENDER, MEDIA, 0, 0, 0);
    long t = 0;
    for (int i = 0; i < 200; i++) {
      t += 333; // a tick and a third each: rounding each delta alone would lose a third of a tick per packet
      assertTrue(builder.addReceived(i, t));
    }
    int length = builder.write(out, 0);
    TransportCcFeedback feedback = TransportCcFeedback.read(out, 0, length);
    long last = feedback.arrivalTimeUs(199);
    assertTrue(last <= t && t - last < 250, "reconstructed " + last + " for " + t);
  }

  @Test
  void trailing_not_received_packets_and_a_negative_reference_time_are_read_back() {
    builder.reset(SENDER, MEDIA, 10, -64_000, 0);
    assertTrue(builder.addReceived(10, -63_000));
    assertTrue(builder.addNotReceived(12));
    int length = builder.write(out, 0);
    TransportCcFeedback feedback = TransportCcFeedback.read(out, 0, length);
    assertEquals(-1, feedback.referenceTime());
    assertEquals(3, feedback.packetStatusCount());
    assertEquals(-63_000, feedback.arrivalTimeUs(0));
    assertFalse(feedback.received(1));
    assertFalse(feedback.received(2));
  }

  @Test
  void random_arrivals_round_trip_through_builder_and_reader() {
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      int base = random.nextInt(65536);
      long now = random.nextInt(1 << 30);
      builder.reset(SENDER, MEDIA, base, now, round);
      int n = 1 + random.nextInt(300);
      boolean[] received = new boolean[n];
      long[] arrival = new long[n];
      long last = Math.floorDiv(now, 64_000) * 64_000;
      int reported = 0;
      for (int i = 0; i < n; i++) {
        if (i > 0 && random.nextInt(4) == 0) {
          continue; // lost
        }
        // mostly small steps; every third a large jump forward or back (reordering)
        now += random.nextInt(3) == 0 ? random.nextInt(200_000) - 50_000 : random.nextInt(20_000);
        assertTrue(builder.addReceived(base + i, now));
        received[i] = true;
        last += Math.floorDiv(now - last, 250) * 250;
        arrival[i] = last;
        reported = i + 1;
      }
      int length = builder.write(out, 0);
      TransportCcFeedback feedback = TransportCcFeedback.read(out, 0, length);
      assertNotNull(feedback);
      assertEquals(0, length % 4);
      assertEquals(reported, feedback.packetStatusCount());
      for (int i = 0; i < reported; i++) {
        assertEquals(received[i], feedback.received(i), "packet " + i);
        if (received[i]) {
          assertEquals(arrival[i], feedback.arrivalTimeUs(i), "packet " + i);
        }
      }
    }
  }

  @Test
  void the_drafts_chunk_examples_read_as_it_says() {
    // §3.1.3: run length 221 of not received; §3.1.4: a one-bit vector of 1 lost, 5 received, 3 lost, 3
    // received, 2 lost. 12 received, small deltas of 1 tick each.
    byte[] b = Hex.bytes("8f cd 00 08 | 00 00 00 01 | 00 00 00 02 | 00 00 00 eb | 00 00 00 00"
        + "| 00 dd 9f 1c | 01 01 01 01 | 01 01 01 01 | 01 01 01 01");
    TransportCcFeedback feedback = TransportCcFeedback.read(b, 0, b.length);
    assertEquals(235, feedback.packetStatusCount());
    assertFalse(feedback.received(220));
    assertFalse(feedback.received(221));
    for (int i = 222; i < 227; i++) {
      assertTrue(feedback.received(i));
    }
    assertFalse(feedback.received(229));
    assertTrue(feedback.received(232));
    assertFalse(feedback.received(234));
    assertEquals(8 * 250, feedback.arrivalTimeUs(232));
  }

  @Test
  void hostile_feedback_is_rejected_without_exceptions() {
    assertNull(TransportCcFeedback.read(Hex.bytes("8f cd 00 04 | 00 00 00 01 | 00 00 00 02 | 00 00 00 05"
        + "| 00 00 00 00"), 0, 20), "five statuses and no chunk");
    assertNull(TransportCcFeedback.read(Hex.bytes("8f cd 00 05 | 00 00 00 01 | 00 00 00 02 | 00 00 00 03"
        + "| 00 00 00 00 | 20 03 01 00"), 0, 24), "three received, deltas for two");
    assertNull(TransportCcFeedback.read(Hex.bytes("8f cd 00 05 | 00 00 00 01 | 00 00 00 02 | 00 00 00 01"
        + "| 00 00 00 00 | 60 01 00 00"), 0, 24), "the reserved status");
    assertNull(TransportCcFeedback.read(Hex.bytes("8f cd 00 05 | 00 00 00 01 | 00 00 00 02 | 00 00 00 01"
        + "| 00 00 00 00 | f0 00 00 00"), 0, 24), "the reserved status in a two-bit vector");
    assertNull(TransportCcFeedback.read(Hex.bytes("8f cd 00 05 | 00 00 00 01"), 0, 8), "length past the end");
    // every status lost, 65535 of them in eight run length chunks: valid, and no delta needed
    TransportCcFeedback allLost = TransportCcFeedback.read(Hex.bytes("8f cd 00 09 | 00 00 00 01 | 00 00 00 02"
        + "| 00 00 ff ff | 00 00 00 00 | 1f ff 1f ff | 1f ff 1f ff | 1f ff 1f ff | 1f ff 1f ff | 00 07 00 00"), 0, 40);
    assertEquals(65535, allLost.packetStatusCount());
    Random random = new Random(3);
    builder.reset(SENDER, MEDIA, 0, 0, 0);
    for (int i = 0; i < 40; i += 1 + random.nextInt(3)) {
      builder.addReceived(i, i * 3000L);
    }
    int length = builder.write(out, 0);
    for (int round = 0; round < 20_000; round++) {
      byte[] b = java.util.Arrays.copyOf(out, length);
      b[random.nextInt(length)] = (byte) random.nextInt(256);
      TransportCcFeedback.read(b, 0, random.nextInt(length + 1));
    }
    assertEquals(-1, new TransportCcBuilder(10).reset(SENDER, MEDIA, 0, 0, 0).write(out, 0), "nothing to report");
  }
}

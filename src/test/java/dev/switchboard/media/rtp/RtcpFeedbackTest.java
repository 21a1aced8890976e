package dev.switchboard.media.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class RtcpFeedbackTest {
  private static final int SENDER = 0xfa17fa17;
  private static final int MEDIA = 0x1d2c3b4a;

  @Test
  void a_pli_is_a_payload_specific_feedback_of_format_1_without_fci() {
    byte[] b = new byte[12];
    assertEquals(12, Pli.write(b, 0, SENDER, MEDIA));
    assertEquals("81ce0002fa17fa171d2c3b4a", Hex.of(b, 0, 12));
    assertTrue(Pli.is(b, 0, 12));
    assertFalse(Nack.is(b, 0, 12));
    assertEquals(SENDER, Feedback.senderSsrc(b, 0));
    assertEquals(MEDIA, Feedback.mediaSsrc(b, 0));
    assertEquals(-1, Pli.write(new byte[11], 0, SENDER, MEDIA));
  }

  @Test
  void feedback_ssrcs_are_rewritten_in_place_for_the_other_leg() {
    byte[] b = new byte[12];
    Pli.write(b, 0, SENDER, 0x0badcafe);
    Feedback.setSenderSsrc(b, 0, 0x00000001);
    Feedback.setMediaSsrc(b, 0, MEDIA);
    assertEquals("81ce0002000000011d2c3b4a", Hex.of(b, 0, 12));
  }

  @Test
  void a_fir_names_each_source_with_a_command_sequence_number_and_leaves_the_media_ssrc_zero() {
    Fir fir = new Fir(SENDER, List.of(new Fir.Entry(MEDIA, 5)));
    byte[] b = new byte[20];
    assertEquals(20, fir.write(b, 0));
    assertEquals(Hex.of(Hex.bytes("84 ce 00 04 | fa 17 fa 17 | 00 00 00 00 | 1d 2c 3b 4a | 05 00 00 00"), 0, 20),
        Hex.of(b, 0, 20));
    assertEquals(fir, Fir.read(b, 0, 20));
    assertEquals(1, Fir.rewriteSsrc(b, 0, 20, MEDIA, 0x11111111));
    assertEquals(List.of(new Fir.Entry(0x11111111, 5)), Fir.read(b, 0, 20).entries());
    assertEquals(0, Fir.rewriteSsrc(b, 0, 19, 0x11111111, 2), "not a whole FIR");
  }

  @Test
  void nack_with_bitmask_expands_to_every_lost_sequence_number() {
    byte[] b = Hex.bytes("81 cd 00 04 | fa 17 fa 17 | 1d 2c 3b 4a | 00 64 80 05 | 00 75 00 00");
    assertArrayEquals(new int[] {100, 101, 103, 116, 117}, Nack.lostSequenceNumbers(b, 0, b.length));
  }

  @Test
  void nack_is_built_from_ascending_lost_sequence_numbers_with_one_entry_per_17() {
    int[] lost = {100, 101, 103, 116, 117, 200};
    byte[] b = new byte[64];
    assertEquals(24, Nack.write(b, 0, SENDER, MEDIA, lost, 0, lost.length));
    assertEquals(Hex.of(Hex.bytes("81 cd 00 05 | fa 17 fa 17 | 1d 2c 3b 4a | 00 64 80 05 | 00 75 00 00"
        + "| 00 c8 00 00"), 0, 24), Hex.of(b, 0, 24));
    assertArrayEquals(lost, Nack.lostSequenceNumbers(b, 0, 24));
  }

  @Test
  void nack_bitmasks_carry_across_the_sequence_number_wrap() {
    int[] lost = {65534, 65535, 0, 1, 3};
    byte[] b = new byte[64];
    assertEquals(16, Nack.write(b, 0, SENDER, MEDIA, lost, 0, lost.length));
    assertEquals("fffe0017", Hex.of(b, 12, 4));
    assertArrayEquals(lost, Nack.lostSequenceNumbers(b, 0, 16));
  }

  @Test
  void nack_writes_repeated_numbers_once_and_a_number_behind_its_predecessor_in_a_new_entry() {
    int[] lost = {10, 10, 11, 5};
    byte[] b = new byte[64];
    assertEquals(2, Nack.entriesFor(lost, 0, lost.length));
    assertEquals(20, Nack.write(b, 0, SENDER, MEDIA, lost, 0, lost.length));
    assertArrayEquals(new int[] {10, 11, 5}, Nack.lostSequenceNumbers(b, 0, 20));
    assertEquals(-1, Nack.write(b, 0, SENDER, MEDIA, lost, 0, 0), "nothing lost");
    assertEquals(-1, Nack.write(new byte[19], 0, SENDER, MEDIA, lost, 0, 4), "no room");
  }

  @Test
  void remb_says_its_bitrate_as_exponent_and_18_bit_mantissa() {
    Remb remb = new Remb(SENDER, 1_000_000, List.of(MEDIA));
    byte[] b = new byte[24];
    assertEquals(24, remb.write(b, 0));
    // 1 000 000 = 250 000 * 2^2: exponent 2, mantissa 0x3d090
    assertEquals(Hex.of(Hex.bytes("8f ce 00 05 | fa 17 fa 17 | 00 00 00 00 | 52 45 4d 42 | 01 0b d0 90"
        + "| 1d 2c 3b 4a"), 0, 24), Hex.of(b, 0, 24));
    assertEquals(remb, Remb.read(b, 0, 24));
  }

  @Test
  void remb_rounds_a_bitrate_down_to_what_the_encoding_can_say() {
    byte[] b = new byte[64];
    new Remb(SENDER, 1_000_003, List.of()).write(b, 0);
    assertEquals(1_000_000, Remb.read(b, 0, 64).bitrate());
    new Remb(SENDER, 150_000, List.of(1, 2)).write(b, 0);
    assertEquals(150_000, Remb.read(b, 0, 64).bitrate(), "below 2^18 the mantissa holds it exactly");
    assertEquals(List.of(1, 2), Remb.read(b, 0, 64).ssrcs());
    b[17] = (byte) 0xff; // exponent 63 and a large mantissa: beyond a long
    assertEquals(Long.MAX_VALUE, Remb.read(b, 0, 64).bitrate());
  }

  @Test
  void hostile_feedback_is_rejected_without_exceptions() {
    assertNull(Nack.lostSequenceNumbers(Hex.bytes("81 cd 00 04 | fa 17 fa 17 | 1d 2c 3b 4a"), 0, 12),
        "length past the end");
    assertArrayEquals(new int[0], Nack.lostSequenceNumbers(Hex.bytes("81 cd 00 02 | 00 00 00 01 | 00 00 00 02"),
        0, 12), "no FCI: nothing lost");
    assertNull(Nack.lostSequenceNumbers(Hex.bytes("81 cd 00 01 | 00 00 00 01"), 0, 8), "no media SSRC");
    assertNull(Fir.read(Hex.bytes("84 ce 00 03 | 00 00 00 01 | 00 00 00 00 | 00 00 00 02"), 0, 16),
        "half an entry");
    assertNull(Remb.read(Hex.bytes("8f ce 00 04 | 00 00 00 01 | 00 00 00 00 | 52 45 4d 42 | 05 0b d0 90"), 0, 20),
        "five SSRCs announced, none there");
    assertNull(Remb.read(Hex.bytes("8f ce 00 04 | 00 00 00 01 | 00 00 00 00 | 52 45 4d 43 | 00 0b d0 90"), 0, 20),
        "not REMB but another application's feedback");
    assertFalse(Pli.is(new byte[12], 0, 12), "version 0");
    assertFalse(Pli.is(Hex.bytes("81 ce 00 02 | 00 00 00 01"), 0, 8));
  }
}

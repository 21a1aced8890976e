package dev.switchboard.media.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class RtpCopyTest {
  private static final byte[] MID = "12".getBytes(StandardCharsets.US_ASCII);
  private final RtpPacket in = new RtpPacket();
  private final byte[] out = new byte[200];

  private RtpPacket chromeOpus() {
    byte[] b = Hex.bytes(RtpPacketTest.CHROME_OPUS);
    assertTrue(in.wrap(b, 0, b.length));
    return in;
  }

  @Test
  void a_subscribers_copy_keeps_mapped_elements_renumbered_drops_the_rest_and_carries_its_own_mid() {
    int[] map = {0, 1, 0, 5, 4}; // audio level stays 1, abs-send-time not negotiated, transport-cc 5, mid 4
    int len = RtpCopy.copy(chromeOpus(), out, 2, map, 4, MID);
    assertEquals(Hex.normal("90 6f 1a 2b | 5f 37 59 df | 1d 2c 3b 4a | be de 00 02 | 10 9e 51 00 | 2a 41 31 32"
        + "| 78 0b e4 c1 36"), Hex.of(out, 2, len));
    RtpPacket copy = new RtpPacket();
    assertTrue(copy.wrap(out, 2, len));
    assertEquals("12", ExtensionValues.text(copy, 4));
    assertEquals(42, ExtensionValues.transportCcSequence(copy, 5));
  }

  @Test
  void an_element_the_one_byte_form_cannot_say_switches_the_copy_to_the_two_byte_form() {
    int[] map = {0, 1, 0, 5};
    int len = RtpCopy.copy(chromeOpus(), out, 0, map, 15, "x".getBytes(StandardCharsets.US_ASCII));
    assertEquals(Hex.normal("90 6f 1a 2b | 5f 37 59 df | 1d 2c 3b 4a | 10 00 00 03 | 01 01 9e 05 | 02 00 2a 0f"
        + "| 01 78 00 00 | 78 0b e4 c1 36"), Hex.of(out, 0, len));
    RtpPacket copy = new RtpPacket();
    assertTrue(copy.wrap(out, 0, len));
    assertEquals("x", ExtensionValues.text(copy, 15));
    assertEquals(0x9e, ExtensionValues.audioLevel(copy, 1));
  }

  @Test
  void a_copy_without_elements_left_has_no_extension() {
    int len = RtpCopy.copy(chromeOpus(), out, 0, new int[0], 0, null);
    assertEquals(Hex.normal("80 6f 1a 2b | 5f 37 59 df | 1d 2c 3b 4a | 78 0b e4 c1 36"),
        Hex.of(out, 0, len));
  }

  @Test
  void a_packet_without_extension_gets_one_for_the_stamp_and_keeps_its_csrcs_and_padding() {
    byte[] b = Hex.bytes("a1 60 00 01 | 00 00 00 02 | 00 00 00 03 | 11 11 11 11 | aa bb 00 02");
    assertTrue(in.wrap(b, 0, b.length));
    int len = RtpCopy.copy(in, out, 0, new int[0], 3, MID);
    assertEquals(Hex.normal("b1 60 00 01 | 00 00 00 02 | 00 00 00 03 | 11 11 11 11 | be de 00 01 | 31 31 32 00"
        + "| aa bb 00 02"), Hex.of(out, 0, len));
    RtpPacket copy = new RtpPacket();
    assertTrue(copy.wrap(out, 0, len));
    assertEquals(2, copy.payloadLength());
  }

  @Test
  void copies_that_do_not_fit_or_stamps_that_cannot_be_said_are_refused() {
    assertEquals(-1, RtpCopy.copy(chromeOpus(), new byte[20], 0, new int[] {0, 1}, 4, MID));
    assertEquals(-1, RtpCopy.copy(chromeOpus(), out, 190, new int[] {0, 1}, 4, MID));
    assertEquals(-1, RtpCopy.copy(chromeOpus(), out, 0, new int[0], 256, MID));
    assertEquals(-1, RtpCopy.copy(chromeOpus(), out, 0, new int[0], 4, new byte[256]));
    assertFalse(in.wrap(out, 0, 0));
  }
}

package dev.switchboard.media.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class HeaderExtensionsTest {
  private static final String HEADER = "90 60 00 01 | 00 00 00 02 | 00 00 00 03";

  /**
   * Shaped like a Chrome VP8 keyframe's first packet with mixed extmaps (extmap-allow-mixed), so two-byte form:
   * profile 0x1000; 2 abs-send-time, a padding byte, 3 transport-cc, 4 mid "1", 10 rid "hi", and 5 with no data
   * (which only the two-byte form can say, and why a sender switches a packet to it).
   */
  private static final String TWO_BYTE = "90 60 00 01 | 00 00 00 02 | 00 00 00 03 | 10 00 00 05"
      + "| 02 03 01 02 | 03 00 03 02 | 04 d2 04 01 | 31 0a 02 68 | 69 05 00 00 | 90 00";

  private final RtpPacket packet = new RtpPacket();

  private RtpPacket wrap(String hex) {
    byte[] b = Hex.bytes(hex);
    assertTrue(packet.wrap(b, 0, b.length));
    return packet;
  }

  @Test
  void one_byte_elements_are_found_by_id_with_their_data_offset_and_length() {
    RtpPacket p = wrap(RtpPacketTest.CHROME_OPUS);
    long abs = p.findExtension(2);
    assertEquals(16 + 3, HeaderExtensions.offset(abs));
    assertEquals(3, HeaderExtensions.length(abs));
    assertEquals(0x9e, ExtensionValues.audioLevel(p, 1));
    assertTrue(ExtensionValues.voiceActivity(0x9e));
    assertEquals(30, ExtensionValues.level(0x9e));
    assertEquals(0x123456, ExtensionValues.absSendTime(p, 2));
    assertEquals(42, ExtensionValues.transportCcSequence(p, 3));
    assertEquals("0", ExtensionValues.text(p, 4));
    assertTrue(ExtensionValues.textEquals(p, 4, "0".getBytes(StandardCharsets.US_ASCII)));
    assertFalse(ExtensionValues.textEquals(p, 4, "1".getBytes(StandardCharsets.US_ASCII)));
    assertEquals(HeaderExtensions.NOT_FOUND, p.findExtension(5));
    assertEquals(-1, ExtensionValues.transportCcSequence(p, 5));
    assertNull(ExtensionValues.text(p, 9));
  }

  @Test
  void two_byte_elements_are_found_by_id_including_empty_and_padded_ones() {
    RtpPacket p = wrap(TWO_BYTE);
    assertEquals(0x1000, p.extensionProfile());
    assertEquals(0x010203, ExtensionValues.absSendTime(p, 2));
    assertEquals(1234, ExtensionValues.transportCcSequence(p, 3));
    assertEquals("1", ExtensionValues.text(p, 4));
    assertEquals("hi", ExtensionValues.text(p, 10));
    assertEquals(0, HeaderExtensions.length(p.findExtension(5)));
    assertEquals(35, HeaderExtensions.offset(p.findExtension(5)));
    assertEquals(2, p.payloadLength());
  }

  @Test
  void values_are_stamped_in_place_into_existing_elements() {
    RtpPacket p = wrap(RtpPacketTest.CHROME_OPUS);
    assertTrue(ExtensionValues.setTransportCcSequence(p, 3, 0xbeef));
    assertTrue(ExtensionValues.setAbsSendTime(p, 2, 0xabcdef));
    assertFalse(ExtensionValues.setTransportCcSequence(p, 7, 1));
    assertEquals(Hex.of(Hex.bytes("10 9e 22 ab | cd ef 31 be | ef 40 30 00"), 0, 12),
        Hex.of(p.buffer(), 16, 12));
  }

  @Test
  void abs_send_time_is_six_bits_of_seconds_and_eighteen_of_fraction() {
    assertEquals(1 << 18, ExtensionValues.absSendTimeOf(1_000_000));
    assertEquals(1 << 17, ExtensionValues.absSendTimeOf(500_000));
    assertEquals(0, ExtensionValues.absSendTimeOf(64_000_000), "wraps after 64 s");
  }

  @Test
  void one_byte_id_15_ends_parsing_and_padding_bytes_are_skipped() {
    RtpPacket p = wrap(HEADER + "| be de 00 02 | 00 00 10 01 | f0 20 00 00");
    assertEquals(1, ExtensionValues.audioLevel(p, 1));
    assertEquals(HeaderExtensions.NOT_FOUND, p.findExtension(2), "after id 15");
  }

  @Test
  void an_element_running_past_the_block_is_not_found() {
    RtpPacket p = wrap(HEADER + "| be de 00 01 | 10 01 3f 00 | 00 00 00 00");
    assertEquals(1, ExtensionValues.audioLevel(p, 1));
    assertEquals(HeaderExtensions.NOT_FOUND, p.findExtension(3), "16 data bytes claimed, one there");
    p = wrap(HEADER + "| 10 00 00 01 | 05 09 00 00 | 00");
    assertEquals(HeaderExtensions.NOT_FOUND, p.findExtension(5));
  }

  @Test
  void an_extension_of_another_profile_holds_no_elements() {
    RtpPacket p = wrap(HEADER + "| ab cd 00 01 | 10 01 00 00");
    assertEquals(HeaderExtensions.NOT_FOUND, p.findExtension(1));
    byte[] before = p.buffer().clone();
    p.rewriteExtensionIds(new int[] {0, 2});
    assertArrayEquals(before, p.buffer());
  }

  @Test
  void one_byte_ids_are_rewritten_in_place_and_unmapped_elements_become_padding() {
    RtpPacket p = wrap(RtpPacketTest.CHROME_OPUS);
    int[] map = new int[5];
    map[1] = 7; // audio level
    map[2] = 0; // abs-send-time: the subscriber did not negotiate it
    map[3] = 14; // transport-cc
    map[4] = 15; // mid to an id the one-byte form cannot say: dropped too
    p.rewriteExtensionIds(map);
    assertEquals(Hex.of(Hex.bytes("70 9e 00 00 | 00 00 e1 00 | 2a 00 00 00"), 0, 12), Hex.of(p.buffer(), 16, 12));
    assertEquals(0x9e, ExtensionValues.audioLevel(p, 7));
    assertEquals(42, ExtensionValues.transportCcSequence(p, 14));
    assertEquals(HeaderExtensions.NOT_FOUND, p.findExtension(2));
    assertEquals(HeaderExtensions.NOT_FOUND, p.findExtension(1));
    assertEquals(5, p.payloadLength(), "the block keeps its length");
  }

  @Test
  void two_byte_ids_are_rewritten_in_place_and_ids_beyond_the_map_become_padding() {
    RtpPacket p = wrap(TWO_BYTE);
    int[] map = {0, 0, 0, 200, 4};
    p.rewriteExtensionIds(map);
    assertEquals(Hex.of(Hex.bytes("00 00 00 00 | 00 00 c8 02 | 04 d2 04 01 | 31 00 00 00 | 00 00 00 00"), 0, 20),
        Hex.of(p.buffer(), 16, 20));
    assertEquals(1234, ExtensionValues.transportCcSequence(p, 200));
    assertEquals("1", ExtensionValues.text(p, 4));
    assertEquals(HeaderExtensions.NOT_FOUND, p.findExtension(10));
  }

  @Test
  void rewriting_stops_at_one_byte_id_15_and_leaves_what_follows() {
    RtpPacket p = wrap(HEADER + "| be de 00 02 | 10 01 f0 20 | 00 00 00 00");
    p.rewriteExtensionIds(new int[] {0, 3, 4});
    assertArrayEquals(Hex.bytes("30 01 f0 20 00 00 00 00"), Arrays.copyOfRange(p.buffer(), 16, 24));
  }
}

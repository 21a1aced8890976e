package dev.switchboard.media.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class RtpPacketTest {
  /**
   * Shaped like what Chrome sends for Opus with its default audio extmaps (1 ssrc-audio-level, 2 abs-send-time,
   * 3 transport-wide-cc, 4 sdes:mid): V=2, X=1, PT 111, one-byte extension block of three words.
   */
  static final String CHROME_OPUS = "90 6f 1a 2b | 5f 37 59 df | 1d 2c 3b 4a"
      + "| be de 00 03 | 10 9e 22 12 | 34 56 31 00 | 2a 40 30 00"
      + "| 78 0b e4 c1 36";

  private final RtpPacket packet = new RtpPacket();

  @Test
  void a_chrome_opus_packet_shows_its_header_fields_extension_block_and_payload() {
    byte[] b = Hex.bytes(CHROME_OPUS);
    assertTrue(packet.wrap(b, 0, b.length));
    assertFalse(packet.marker());
    assertEquals(111, packet.payloadType());
    assertEquals(0x1a2b, packet.sequenceNumber());
    assertEquals(0x5f3759df, packet.timestamp());
    assertEquals(0x1d2c3b4a, packet.ssrc());
    assertEquals(0, packet.csrcCount());
    assertTrue(packet.hasExtension());
    assertEquals(0xBEDE, packet.extensionProfile());
    assertEquals(16, packet.extensionsOffset());
    assertEquals(12, packet.extensionsLength());
    assertEquals(28, packet.headerLength());
    assertEquals(28, packet.payloadOffset());
    assertEquals(5, packet.payloadLength());
    assertEquals(0, packet.paddingLength());
  }

  @Test
  void the_view_works_at_an_offset_inside_a_larger_buffer() {
    byte[] packetBytes = Hex.bytes(CHROME_OPUS);
    byte[] b = new byte[packetBytes.length + 40];
    System.arraycopy(packetBytes, 0, b, 17, packetBytes.length);
    assertTrue(packet.wrap(b, 17, packetBytes.length));
    assertEquals(0x1a2b, packet.sequenceNumber());
    assertEquals(17 + 28, packet.payloadOffset());
    assertEquals(5, packet.payloadLength());
    assertEquals(1, ExtensionValues.level(0x81));
    assertEquals(0x9e, ExtensionValues.audioLevel(packet, 1));
  }

  @Test
  void setters_rewrite_sequence_timestamp_ssrc_payload_type_and_marker_in_place() {
    byte[] b = Hex.bytes(CHROME_OPUS);
    packet.wrap(b, 0, b.length);
    packet.setSequenceNumber(0xfffe);
    packet.setTimestamp(0xcafebabe);
    packet.setSsrc(0x01020304);
    packet.setPayloadType(109);
    packet.setMarker(true);
    assertArrayEquals(Hex.bytes("90 ed ff fe | ca fe ba be | 01 02 03 04"), Arrays.copyOf(b, 12));
    assertTrue(packet.marker());
    assertEquals(109, packet.payloadType());
    packet.setMarker(false);
    assertEquals(0x6d, b[1]);
    assertArrayEquals(Arrays.copyOfRange(Hex.bytes(CHROME_OPUS), 12, b.length), Arrays.copyOfRange(b, 12, b.length));
  }

  @Test
  void padding_is_counted_by_the_last_byte_and_left_out_of_the_payload() {
    byte[] b = Hex.bytes("a0 60 00 01 | 00 00 00 02 | 00 00 00 03 | aa bb cc 00 00 00 04");
    assertTrue(packet.wrap(b, 0, b.length));
    assertTrue(packet.hasPadding());
    assertEquals(4, packet.paddingLength());
    assertEquals(3, packet.payloadLength());
  }

  @Test
  void a_packet_of_padding_alone_is_a_valid_probe_with_an_empty_payload() {
    byte[] b = Hex.bytes("a0 60 00 01 | 00 00 00 02 | 00 00 00 03 | 00 00 00 04");
    assertTrue(packet.wrap(b, 0, b.length));
    assertEquals(0, packet.payloadLength());
  }

  @Test
  void csrcs_come_between_the_fixed_header_and_the_payload() {
    byte[] b = Hex.bytes("82 60 00 01 | 00 00 00 02 | 00 00 00 03 | 11 11 11 11 | 22 22 22 22 | ff");
    assertTrue(packet.wrap(b, 0, b.length));
    assertEquals(2, packet.csrcCount());
    assertEquals(0x11111111, packet.csrc(0));
    assertEquals(0x22222222, packet.csrc(1));
    assertEquals(20, packet.headerLength());
    assertEquals(1, packet.payloadLength());
  }

  @Test
  void hostile_headers_are_rejected_without_exceptions() {
    RtpPacket p = packet;
    byte[] valid = Hex.bytes(CHROME_OPUS);
    assertFalse(p.wrap(valid, 0, 0), "zero length");
    assertFalse(p.wrap(valid, 0, 11), "shorter than the fixed header");
    assertFalse(p.wrap(null, 0, 12), "no buffer");
    assertFalse(p.wrap(valid, -1, 12), "negative offset");
    assertFalse(p.wrap(valid, 20, valid.length), "length past the end of the buffer");
    assertFalse(p.wrap(valid, 0, 27), "extension block past the end");
    assertFalse(p.wrap(Hex.bytes("40 60 00 01 00 00 00 02 00 00 00 03"), 0, 12), "version 1");
    assertFalse(p.wrap(Hex.bytes("8f 60 00 01 00 00 00 02 00 00 00 03 00 00 00 00"), 0, 16),
        "15 CSRCs in 16 bytes");
    assertFalse(p.wrap(Hex.bytes("90 60 00 01 00 00 00 02 00 00 00 03 be de"), 0, 14), "half an extension header");
    assertFalse(p.wrap(Hex.bytes("90 60 00 01 00 00 00 02 00 00 00 03 be de ff ff 00 00"), 0, 18),
        "extension length of 65535 words");
    assertFalse(p.wrap(Hex.bytes("a0 60 00 01 00 00 00 02 00 00 00 03 aa 00"), 0, 14), "padding count 0");
    assertFalse(p.wrap(Hex.bytes("a0 60 00 01 00 00 00 02 00 00 00 03 aa 03"), 0, 14), "padding into the header");
  }

  @Test
  void every_truncation_and_random_corruption_of_a_valid_packet_is_handled_without_exceptions() {
    byte[] valid = Hex.bytes(CHROME_OPUS);
    for (int len = 0; len <= valid.length; len++) {
      if (packet.wrap(valid, 0, len)) {
        assertTrue(packet.payloadOffset() + packet.payloadLength() <= len);
        packet.findExtension(3);
      }
    }
    Random random = new Random(7);
    for (int round = 0; round < 20_000; round++) {
      byte[] b = valid.clone();
      for (int k = 0; k < 3; k++) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      int len = random.nextInt(b.length + 1);
      if (packet.wrap(b, 0, len)) {
        assertTrue(packet.payloadOffset() + packet.payloadLength() <= len);
        for (int id = 1; id < 16; id++) {
          long e = packet.findExtension(id);
          if (e != HeaderExtensions.NOT_FOUND) {
            assertTrue(HeaderExtensions.offset(e) + HeaderExtensions.length(e) <= packet.payloadOffset());
          }
        }
        packet.rewriteExtensionIds(new int[] {0, 5, 6});
      }
    }
  }
}

package dev.switchboard.media.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class RtxTest {
  /** VP8 (PT 96) with the marker, a one-byte abs-send-time element and four bytes of padding. */
  private static final String ORIGINAL = "b0 e0 30 39 | 00 01 e2 40 | 11 22 33 44 | be de 00 01 | 22 0a 0b 0c"
      + "| 90 e0 80 12 | 00 00 00 04";

  @Test
  void an_rtx_packet_carries_the_original_sequence_number_before_the_payload_under_its_own_ssrc_pt_and_seq() {
    byte[] b = Hex.bytes(ORIGINAL);
    RtpPacket original = new RtpPacket();
    assertTrue(original.wrap(b, 0, b.length));
    byte[] out = new byte[64];
    int len = Rtx.write(original, out, 3, 0x55667788, 97, 7);
    assertEquals(12 + 8 + 2 + 4, len);
    // P cleared, marker kept, PT 97, RTX seq 7, timestamp kept, RTX SSRC, extension kept, OSN 12345, payload
    assertEquals(Hex.of(Hex.bytes("90 e1 00 07 | 00 01 e2 40 | 55 66 77 88 | be de 00 01 | 22 0a 0b 0c"
        + "| 30 39 | 90 e0 80 12"), 0, len), Hex.of(out, 3, len));
    RtpPacket rtx = new RtpPacket();
    assertTrue(rtx.wrap(out, 3, len));
    assertEquals(12345, Rtx.originalSequenceNumber(rtx));
  }

  @Test
  void restoring_an_rtx_packet_gives_back_the_original_without_its_padding() {
    byte[] b = Hex.bytes(ORIGINAL);
    RtpPacket original = new RtpPacket();
    original.wrap(b, 0, b.length);
    byte[] rtxBytes = new byte[64];
    int rtxLen = Rtx.write(original, rtxBytes, 0, 0x55667788, 97, 7);
    RtpPacket rtx = new RtpPacket();
    rtx.wrap(rtxBytes, 0, rtxLen);

    byte[] restored = new byte[64];
    int len = Rtx.restore(rtx, restored, 0, 0x11223344, 96);
    byte[] unpadded = Hex.bytes("90 e0 30 39 | 00 01 e2 40 | 11 22 33 44 | be de 00 01 | 22 0a 0b 0c | 90 e0 80 12");
    assertArrayEquals(unpadded, Arrays.copyOf(restored, len));

    int inPlace = Rtx.restore(rtx, rtxBytes, 0, 0x11223344, 96);
    assertArrayEquals(unpadded, Arrays.copyOf(rtxBytes, inPlace), "restored in the RTX packet's own buffer");
  }

  @Test
  void rtx_write_and_restore_refuse_buffers_too_small_and_rtx_without_an_osn() {
    byte[] b = Hex.bytes(ORIGINAL);
    RtpPacket original = new RtpPacket();
    original.wrap(b, 0, b.length);
    assertEquals(-1, Rtx.write(original, new byte[25], 0, 1, 97, 1));
    assertEquals(-1, Rtx.write(original, new byte[40], 20, 1, 97, 1));
    RtpPacket empty = new RtpPacket();
    byte[] e = Hex.bytes("80 61 00 01 | 00 00 00 02 | 00 00 00 03 | 30");
    assertTrue(empty.wrap(e, 0, e.length));
    assertEquals(-1, Rtx.originalSequenceNumber(empty));
    assertEquals(-1, Rtx.restore(empty, new byte[64], 0, 1, 96));
  }
}

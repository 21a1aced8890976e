package dev.switchboard.media.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class KeyframesTest {
  /** VP8 payload header of a 640x480 keyframe: frame tag with P = 0, start code, width and height. */
  private static final String VP8_KEY = "50 42 00 | 9d 01 2a | 80 02 e0 01";

  private static boolean vp8(String hex) {
    byte[] b = Hex.bytes(hex);
    return Vp8.isKeyframe(b, 0, b.length);
  }

  private static boolean h264(String hex) {
    byte[] b = Hex.bytes(hex);
    return H264.isKeyframe(b, 0, b.length);
  }

  @Test
  void a_chrome_vp8_keyframe_packet_is_told_through_its_rtp_payload() {
    // marker clear, PT 96; descriptor X S, I with a 15-bit picture id 0x0123, then the keyframe header
    byte[] b = Hex.bytes("80 60 00 01 | 00 00 00 02 | 00 00 00 03 | 90 80 81 23 |" + VP8_KEY);
    RtpPacket packet = new RtpPacket();
    assertTrue(packet.wrap(b, 0, b.length));
    assertTrue(Vp8.isKeyframe(packet.buffer(), packet.payloadOffset(), packet.payloadLength()));
  }

  @Test
  void vp8_keyframes_are_found_behind_every_optional_descriptor_field() {
    assertTrue(vp8("10 |" + VP8_KEY), "no extension byte");
    assertTrue(vp8("90 80 23 |" + VP8_KEY), "7-bit picture id");
    assertTrue(vp8("90 f0 81 23 05 40 |" + VP8_KEY), "picture id, TL0PICIDX and TID/KEYIDX");
    assertTrue(vp8("90 40 05 |" + VP8_KEY), "TL0PICIDX alone");
    assertTrue(vp8("90 10 40 |" + VP8_KEY), "KEYIDX alone");
  }

  @Test
  void vp8_delta_frames_continuations_and_later_partitions_are_no_keyframes() {
    assertFalse(vp8("90 80 81 24 | 31 7b 00 00 00 00"), "P = 1: an interframe");
    assertFalse(vp8("80 80 81 23 |" + VP8_KEY), "S = 0: not the start of the frame");
    assertFalse(vp8("91 80 81 23 |" + VP8_KEY), "PID 1: not partition 0");
    assertFalse(vp8("90 80 81 23 | 50 42 00 9d 01 2b 80 02"), "no start code");
  }

  @Test
  void truncated_vp8_payloads_are_no_keyframes_and_never_throw() {
    String full = "90 f0 81 23 05 40 " + VP8_KEY;
    byte[] b = Hex.bytes(full);
    for (int len = 0; len < 12; len++) {
      assertFalse(Vp8.isKeyframe(b, 0, len), "length " + len);
    }
    assertTrue(Vp8.isKeyframe(b, 0, 12));
    assertFalse(Vp8.isKeyframe(b, 5, b.length), "range past the buffer");
    assertFalse(Vp8.isKeyframe(null, 0, 1));
  }

  @Test
  void h264_idr_and_sps_begin_keyframes_in_single_nal_unit_packets() {
    assertTrue(h264("65 88 84 00"), "IDR slice");
    assertTrue(h264("67 42 c0 1f"), "SPS");
    assertFalse(h264("41 9a 02 00"), "non-IDR slice");
    assertFalse(h264("68 ce 3c 80"), "PPS alone");
  }

  @Test
  void h264_stap_a_with_sps_and_pps_as_chrome_sends_it_begins_a_keyframe() {
    assertTrue(h264("78 | 00 06 67 42 c0 1f da 01 | 00 04 68 ce 3c 80"));
    assertTrue(h264("78 | 00 02 06 05 | 00 02 65 88"), "SEI then IDR");
    assertFalse(h264("78 | 00 02 06 05 | 00 02 41 9a"), "SEI then a non-IDR slice");
    assertFalse(h264("78 | 00 09 67 42"), "size past the end");
    assertFalse(h264("78 | 00 00 67 42"), "size zero");
    assertFalse(h264("78 | 00"), "half a size");
  }

  @Test
  void h264_fu_a_begins_a_keyframe_only_in_the_first_fragment_of_an_idr() {
    assertTrue(h264("7c 85 88 84"), "S = 1, IDR");
    assertFalse(h264("7c 05 88 84"), "a middle fragment of the IDR");
    assertFalse(h264("7c 45 88 84"), "the last fragment of the IDR");
    assertFalse(h264("7c 81 9a 02"), "first fragment of a non-IDR slice");
    assertFalse(h264("7c"), "no FU header");
    assertFalse(h264(""));
  }
}

package dev.switchboard.media.transport;

import java.security.SecureRandom;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class SrtpSessionTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rtp_protected_by_the_browser_is_unprotected_by_the_node_to_the_same_bytes(SrtpProfile profile) {
    SrtpKeys keys = keys(profile);
    SrtpSession browser = SrtpSession.forClient(keys);
    SrtpSession node = SrtpSession.forServer(keys);
    byte[] packet = rtp(0xCAFE, 1000, 300);
    byte[] wire = roomy(packet, SrtpSession.RTP_ROOM);

    int protectedLength = browser.protectRtp(wire, 0, packet.length);

    assertEquals(packet.length + profile.rtpTagLength, protectedLength);
    assertFalse(Arrays.equals(packet, 12, packet.length, wire, 12, packet.length), "the payload is encrypted");
    assertEquals(packet.length, node.unprotectRtp(wire, 0, protectedLength));
    assertArrayEquals(packet, Arrays.copyOf(wire, packet.length));
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rtp_protected_by_the_node_is_unprotected_by_the_browser_at_an_offset(SrtpProfile profile) {
    SrtpKeys keys = keys(profile);
    SrtpSession node = SrtpSession.forServer(keys);
    SrtpSession browser = SrtpSession.forClient(keys);
    byte[] packet = rtpWithExtension(0xBEEF, 65535, 120);
    byte[] wire = new byte[7 + packet.length + SrtpSession.RTP_ROOM];
    System.arraycopy(packet, 0, wire, 7, packet.length);

    int protectedLength = node.protectRtp(wire, 7, packet.length);

    assertEquals(packet.length, browser.unprotectRtp(wire, 7, protectedLength));
    assertArrayEquals(packet, Arrays.copyOfRange(wire, 7, 7 + packet.length));
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void rtcp_travels_both_ways_and_grows_by_the_index_and_the_tag(SrtpProfile profile) {
    SrtpKeys keys = keys(profile);
    SrtpSession browser = SrtpSession.forClient(keys);
    SrtpSession node = SrtpSession.forServer(keys);
    byte[] report = senderReport(0x1111);
    byte[] wire = roomy(report, SrtpSession.RTCP_ROOM);

    int protectedLength = browser.protectRtcp(wire, 0, report.length);
    assertEquals(report.length + 4 + profile.rtcpTagLength, protectedLength);
    assertEquals(report.length, node.unprotectRtcp(wire, 0, protectedLength));
    assertArrayEquals(report, Arrays.copyOf(wire, report.length));

    byte[] back = roomy(senderReport(0x2222), SrtpSession.RTCP_ROOM);
    int backLength = node.protectRtcp(back, 0, 28);
    assertEquals(28, browser.unprotectRtcp(back, 0, backLength));
    assertArrayEquals(senderReport(0x2222), Arrays.copyOf(back, 28));
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void a_tampered_packet_is_refused_and_the_genuine_one_still_accepted(SrtpProfile profile) {
    SrtpKeys keys = keys(profile);
    SrtpSession browser = SrtpSession.forClient(keys);
    SrtpSession node = SrtpSession.forServer(keys);
    byte[] wire = roomy(rtp(5, 10, 50), SrtpSession.RTP_ROOM);
    int length = browser.protectRtp(wire, 0, 62);
    byte[] tampered = wire.clone();
    tampered[30] ^= 1;
    byte[] rtcp = roomy(senderReport(5), SrtpSession.RTCP_ROOM);
    int rtcpLength = browser.protectRtcp(rtcp, 0, 28);
    byte[] tamperedRtcp = rtcp.clone();
    tamperedRtcp[12] ^= 0x40;

    assertEquals(-1, node.unprotectRtp(tampered, 0, length));
    assertEquals(-1, node.unprotectRtcp(tamperedRtcp, 0, rtcpLength));
    assertEquals(62, node.unprotectRtp(wire, 0, length));
    assertEquals(28, node.unprotectRtcp(rtcp, 0, rtcpLength));
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void a_replayed_packet_is_refused(SrtpProfile profile) {
    SrtpKeys keys = keys(profile);
    SrtpSession browser = SrtpSession.forClient(keys);
    SrtpSession node = SrtpSession.forServer(keys);
    byte[] wire = roomy(rtp(9, 500, 80), SrtpSession.RTP_ROOM);
    int length = browser.protectRtp(wire, 0, 92);
    byte[] replay = wire.clone();
    byte[] rtcp = roomy(senderReport(9), SrtpSession.RTCP_ROOM);
    int rtcpLength = browser.protectRtcp(rtcp, 0, 28);
    byte[] rtcpReplay = rtcp.clone();

    assertEquals(92, node.unprotectRtp(wire, 0, length));
    assertEquals(-1, node.unprotectRtp(replay, 0, length));
    assertEquals(28, node.unprotectRtcp(rtcp, 0, rtcpLength));
    assertEquals(-1, node.unprotectRtcp(rtcpReplay, 0, rtcpLength));
  }

  @Test
  void warm_up_round_trips_rtp_and_rtcp_with_every_profile_so_the_cipher_benchmark_runs_before_the_packet_thread() {
    assertEquals(2 * SrtpProfile.values().length, SrtpWarmUp.run());
  }

  @Test
  void the_node_may_protect_the_same_sequence_number_twice_for_a_nack_answer() {
    SrtpKeys keys = keys(SrtpProfile.AEAD_AES_128_GCM);
    SrtpSession node = SrtpSession.forServer(keys);
    byte[] first = roomy(rtp(3, 42, 40), SrtpSession.RTP_ROOM);
    byte[] again = first.clone();

    assertEquals(68, node.protectRtp(first, 0, 52));
    assertEquals(68, node.protectRtp(again, 0, 52));
  }

  @Test
  void a_packet_without_room_for_the_tag_is_refused_not_overflowed() {
    SrtpKeys keys = keys(SrtpProfile.AEAD_AES_128_GCM);
    SrtpSession node = SrtpSession.forServer(keys);
    byte[] packet = rtp(3, 1, 40);

    assertEquals(-1, node.protectRtp(packet, 0, packet.length));
    assertEquals(-1, node.protectRtcp(senderReport(3), 0, 28));
  }

  @Test
  void ssrcs_beyond_the_limit_are_refused_and_forged_ones_take_no_slot() {
    SrtpKeys keys = keys(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
    SrtpSession node = new SrtpSession(keys, true, 2);
    SrtpSession browser = SrtpSession.forClient(keys);
    for (int ssrc = 1; ssrc <= 2; ssrc++) {
      assertEquals(62, node.protectRtp(roomy(rtp(ssrc, 1, 50), SrtpSession.RTP_ROOM), 0, 62) - 10);
    }
    assertEquals(-1, node.protectRtp(roomy(rtp(3, 1, 50), SrtpSession.RTP_ROOM), 0, 62));

    for (int ssrc = 100; ssrc < 200; ssrc++) { // forged: right shape, wrong tag
      byte[] forged = roomy(rtp(ssrc, 1, 50), 10);
      assertEquals(-1, node.unprotectRtp(forged, 0, 72));
    }
    for (int ssrc = 1; ssrc <= 2; ssrc++) {
      byte[] wire = roomy(rtp(ssrc, 1, 50), SrtpSession.RTP_ROOM);
      assertEquals(62, node.unprotectRtp(wire, 0, browser.protectRtp(wire, 0, 62)));
    }
  }

  @Test
  void hostile_lengths_and_offsets_are_refused_without_throwing() {
    SrtpSession node = SrtpSession.forServer(keys(SrtpProfile.AEAD_AES_128_GCM));
    byte[] buf = new byte[64];
    RANDOM.nextBytes(buf);
    assertEquals(-1, node.unprotectRtp(null, 0, 10));
    assertEquals(-1, node.unprotectRtp(buf, -1, 10));
    assertEquals(-1, node.unprotectRtp(buf, 60, 10));
    assertEquals(-1, node.unprotectRtp(buf, 0, 5));
    assertEquals(-1, node.unprotectRtcp(buf, 0, 64));
    assertEquals(-1, node.unprotectRtp(buf, 0, 64));
    buf[0] = (byte) 0x9f; // extension and 15 CSRCs claimed in 64 bytes
    assertEquals(-1, node.protectRtp(buf, 0, 40));
    node.close();
    assertEquals(-1, node.protectRtp(roomy(rtp(1, 1, 10), 16), 0, 22));
  }

  @Test
  void the_srtp_backend_in_use_is_named() {
    assertTrue(SrtpSession.backend().startsWith("OpenSSL") || SrtpSession.backend().startsWith("JCE"),
        SrtpSession.backend());
  }

  static SrtpKeys keys(SrtpProfile profile) {
    byte[] material = new byte[profile.keyingMaterialLength()];
    RANDOM.nextBytes(material);
    return SrtpKeys.fromKeyingMaterial(profile, material);
  }

  static byte[] roomy(byte[] packet, int room) {
    return Arrays.copyOf(packet, packet.length + room);
  }

  /** A version-2 RTP packet, PT 96, with a recognisable payload. */
  static byte[] rtp(int ssrc, int seq, int payloadLength) {
    byte[] p = new byte[12 + payloadLength];
    p[0] = (byte) 0x80;
    p[1] = 96;
    p[2] = (byte) (seq >> 8);
    p[3] = (byte) seq;
    p[4] = 0x12;
    p[7] = 0x34;
    writeInt(p, 8, ssrc);
    for (int i = 12; i < p.length; i++) {
      p[i] = (byte) i;
    }
    return p;
  }

  /** RTP with a one-byte-header extension (RFC 8285) holding one element, as browsers send. */
  static byte[] rtpWithExtension(int ssrc, int seq, int payloadLength) {
    byte[] base = rtp(ssrc, seq, payloadLength);
    byte[] p = new byte[base.length + 8];
    System.arraycopy(base, 0, p, 0, 12);
    p[0] = (byte) 0x90;
    p[12] = (byte) 0xBE;
    p[13] = (byte) 0xDE;
    p[15] = 1; // one 32-bit word
    p[16] = 0x10; // id 1, length 1
    p[17] = 0x55;
    System.arraycopy(base, 12, p, 20, payloadLength);
    return p;
  }

  /** A 28-byte RTCP sender report without report blocks. */
  static byte[] senderReport(int ssrc) {
    byte[] p = new byte[28];
    p[0] = (byte) 0x80;
    p[1] = (byte) 200;
    p[3] = 6;
    writeInt(p, 4, ssrc);
    for (int i = 8; i < 28; i++) {
      p[i] = (byte) (i * 3);
    }
    return p;
  }

  private static void writeInt(byte[] p, int at, int value) {
    p[at] = (byte) (value >> 24);
    p[at + 1] = (byte) (value >> 16);
    p[at + 2] = (byte) (value >> 8);
    p[at + 3] = (byte) value;
  }
}

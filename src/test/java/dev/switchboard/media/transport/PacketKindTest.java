package dev.switchboard.media.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class PacketKindTest {
  @Test
  void the_first_byte_tells_stun_dtls_and_media_apart_as_rfc_7983_says() {
    assertEquals(PacketKind.STUN, PacketKind.of(0x00)); // Binding request
    assertEquals(PacketKind.STUN, PacketKind.of(0x01)); // Binding success
    assertEquals(PacketKind.DTLS, PacketKind.of(22)); // handshake record
    assertEquals(PacketKind.DTLS, PacketKind.of(23)); // application data
    assertEquals(PacketKind.RTP_OR_RTCP, PacketKind.of(0x80)); // version 2, no padding, no extension
    assertEquals(PacketKind.RTP_OR_RTCP, PacketKind.of(0x90)); // version 2 with a header extension
  }

  @Test
  void turn_channel_data_zrtp_and_quic_ranges_are_other() {
    assertEquals(PacketKind.OTHER, PacketKind.of(0x40)); // ChannelData 0x4000: the node is no relay
    assertEquals(PacketKind.OTHER, PacketKind.of(16)); // ZRTP
    assertEquals(PacketKind.OTHER, PacketKind.of(0xc0)); // QUIC long header
    assertEquals(PacketKind.OTHER, PacketKind.of(4));
  }

  @Test
  void rtcp_is_told_from_rtp_by_its_packet_type_on_a_muxed_port() {
    assertTrue(PacketKind.isRtcp(200)); // sender report
    assertTrue(PacketKind.isRtcp(206)); // payload-specific feedback (PLI)
    assertFalse(PacketKind.isRtcp(96)); // VP8, no marker
    assertFalse(PacketKind.isRtcp(96 | 0x80)); // VP8 with the marker bit: 224
    assertFalse(PacketKind.isRtcp(111)); // Opus
  }
}

package dev.switchboard.media.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class RtcpReportsTest {
  private static final String SR = "81 c8 00 0c | 11 22 33 44 | e4 a1 b2 c3 | 80 00 00 00 | 00 01 5f 90"
      + "| 00 00 00 64 | 00 01 d4 c0"
      + "| 55 66 77 88 | 40 00 01 02 | 00 01 23 45 | 00 00 00 20 | a1 b2 c3 d4 | 00 01 00 00";

  /**
   * Shaped like a Chrome receiver's regular report: an RR with one block (two duplicates have made the cumulative
   * loss -2) and an SDES with its 16-character random CNAME.
   */
  static final String CHROME_RR_SDES = "81 c9 00 07 | fa 17 fa 17"
      + "| 1d 2c 3b 4a | 00 ff ff fe | 00 00 1a 2b | 00 00 01 0e | 59 df 00 00 | 00 00 80 00"
      + "| 81 ca 00 06 | fa 17 fa 17 | 01 10 34 54 | 4f 6b 34 32 | 6d 53 6a 58 | 43 6b 56 49 | 61 36 00 00";

  private static final ReportBlock SR_BLOCK =
      new ReportBlock(0x55667788, 0x40, 0x102, 0x12345, 0x20, 0xa1b2c3d4, 0x10000);

  @Test
  void a_sender_report_is_written_byte_for_byte_as_rfc_3550_lays_it_out_and_read_back() {
    SenderReport sr = new SenderReport(0x11223344, 0xe4a1b2c3_80000000L, 90000, 100, 120000, List.of(SR_BLOCK));
    byte[] b = new byte[80];
    assertEquals(52, sr.write(b, 4));
    assertEquals(Hex.of(Hex.bytes(SR), 0, 52), Hex.of(b, 4, 52));
    assertEquals(sr, SenderReport.read(b, 4, 52));
    assertEquals(0xb2c38000, ReportBlock.middle32(sr.ntpTimestamp()));
  }

  @Test
  void a_receiver_report_carries_a_negative_cumulative_loss_in_24_bits() {
    byte[] b = Hex.bytes(CHROME_RR_SDES);
    ReceiverReport rr = ReceiverReport.read(b, 0, b.length);
    assertEquals(0xfa17fa17, rr.ssrc());
    ReportBlock block = rr.reports().get(0);
    assertEquals(new ReportBlock(0x1d2c3b4a, 0, -2, 0x1a2b, 270, 0x59df0000, 0x8000), block);
    byte[] out = new byte[32];
    assertEquals(32, rr.write(out, 0));
    assertEquals(Hex.of(b, 0, 32), Hex.of(out, 0, 32));
  }

  @Test
  void a_cumulative_loss_beyond_24_bits_is_clamped() {
    byte[] b = new byte[24];
    new ReportBlock(1, 0, 10_000_000, 0, 0, 0, 0).write(b, 0);
    assertEquals(0x7fffff, ReportBlock.read(b, 0).cumulativeLost());
    new ReportBlock(1, 0, -10_000_000, 0, 0, 0, 0).write(b, 0);
    assertEquals(-0x800000, ReportBlock.read(b, 0).cumulativeLost());
  }

  @Test
  void an_empty_receiver_report_is_eight_bytes() {
    byte[] b = new byte[8];
    assertEquals(8, new ReceiverReport(0x01020304, List.of()).write(b, 0));
    assertEquals("80c9000101020304", Hex.of(b, 0, 8));
  }

  @Test
  void an_sdes_chunk_holds_the_cname_ended_by_a_null_octet_and_padded_to_32_bits() {
    byte[] b = Hex.bytes(CHROME_RR_SDES);
    Sdes sdes = Sdes.read(b, 32, b.length - 32);
    assertEquals(List.of(new Sdes.Chunk(0xfa17fa17, "4TOk42mSjXCkVIa6")), sdes.chunks());
    byte[] out = new byte[28];
    assertEquals(28, sdes.write(out, 0));
    assertEquals(Hex.of(b, 32, 28), Hex.of(out, 0, 28));
    // a CNAME of two bytes: 4 + 2 + 2 = 8, then a whole word of null octets
    Sdes shortName = new Sdes(List.of(new Sdes.Chunk(7, "ab")));
    assertEquals(16, shortName.write(out, 0));
    assertEquals("81ca0003000000070102616200000000", Hex.of(out, 0, 16));
    assertEquals(shortName, Sdes.read(out, 0, 16));
  }

  @Test
  void sdes_items_other_than_cname_are_skipped() {
    // NAME "x" (type 2) then CNAME "c", a second chunk without items
    byte[] b = Hex.bytes("82 ca 00 05 | 00 00 00 01 | 02 01 78 01 | 01 63 00 00 | 00 00 00 02 | 00 00 00 00");
    Sdes sdes = Sdes.read(b, 0, b.length);
    assertEquals(List.of(new Sdes.Chunk(1, "c"), new Sdes.Chunk(2, null)), sdes.chunks());
  }

  @Test
  void a_bye_names_its_sources_and_an_optional_reason_padded_to_32_bits() {
    Bye bye = new Bye(List.of(0x11223344), "bye!");
    byte[] b = new byte[16];
    assertEquals(16, bye.write(b, 0));
    assertEquals(Hex.of(Hex.bytes("81 cb 00 03 | 11 22 33 44 | 04 62 79 65 | 21 00 00 00"), 0, 16), Hex.of(b, 0, 16));
    assertEquals(bye, Bye.read(b, 0, 16));
    Bye silent = new Bye(List.of(1, 2), null);
    assertEquals(12, silent.write(b, 0));
    assertEquals(silent, Bye.read(b, 0, 12));
  }

  @Test
  void a_compound_packet_is_iterated_packet_by_packet() {
    byte[] b = Hex.bytes(CHROME_RR_SDES);
    RtcpCompound compound = new RtcpCompound().reset(b, 0, b.length);
    assertTrue(compound.next());
    assertEquals(RtcpHeader.RR, compound.type());
    assertEquals(1, compound.count());
    assertEquals(0, compound.offset());
    assertEquals(32, compound.length());
    assertTrue(compound.next());
    assertEquals(RtcpHeader.SDES, compound.type());
    assertEquals(32, compound.offset());
    assertEquals(28, compound.length());
    assertFalse(compound.next());
    assertFalse(compound.malformed());
  }

  @Test
  void padding_of_the_last_packet_is_told_apart_and_readers_ignore_it() {
    // an RR without blocks, padded by 4 bytes: P set, length 2 (12 bytes), last byte 4
    byte[] b = Hex.bytes("a0 c9 00 02 | 01 02 03 04 | 00 00 00 04");
    RtcpCompound compound = new RtcpCompound().reset(b, 0, b.length);
    assertTrue(compound.next());
    assertEquals(12, compound.length());
    assertEquals(4, compound.paddingLength());
    assertEquals(new ReceiverReport(0x01020304, List.of()), ReceiverReport.read(b, 0, b.length));
  }

  @Test
  void hostile_compounds_end_the_iteration_as_malformed_without_exceptions() {
    String[] hostile = {
        "81 c9 00 07 | fa 17 fa 17", // length past the end
        "41 c9 00 01 | fa 17 fa 17", // version 1
        "81 c9 00", // truncated header
        "a0 c9 00 01 | 01 02 03 00", // padding count 0
        "a0 c9 00 01 | 01 02 03 09", // padding longer than the packet
        "80 c9 00 01 | 01 02 03 04 | 81", // a valid RR, then a byte of garbage
    };
    for (String hex : hostile) {
      byte[] b = Hex.bytes(hex);
      RtcpCompound compound = new RtcpCompound().reset(b, 0, b.length);
      while (compound.next()) {
        assertTrue(compound.offset() + compound.length() <= b.length);
      }
      assertTrue(compound.malformed(), hex);
    }
    RtcpCompound empty = new RtcpCompound().reset(new byte[0], 0, 0);
    assertFalse(empty.next());
    assertFalse(empty.malformed());
    assertFalse(new RtcpCompound().reset(new byte[4], 2, 4).next(), "range past the buffer");
    assertFalse(new RtcpCompound().reset(null, 0, 4).next());
  }

  @Test
  void readers_refuse_counts_that_claim_more_blocks_chunks_or_sources_than_the_length_holds() {
    assertNull(SenderReport.read(Hex.bytes("82 c8 00 0c" + SR.substring(11)), 0, 52), "2 blocks in room for 1");
    assertNull(ReceiverReport.read(Hex.bytes("81 c9 00 01 | fa 17 fa 17"), 0, 8));
    assertNull(Sdes.read(Hex.bytes("81 ca 00 02 | 00 00 00 01 | 01 09 61 00"), 0, 12), "CNAME past the end");
    assertNull(Sdes.read(Hex.bytes("81 ca 00 02 | 00 00 00 01 | 01 01 61 62"), 0, 12), "no null octet");
    assertNull(Bye.read(Hex.bytes("82 cb 00 01 | 00 00 00 01"), 0, 8));
    assertNull(Bye.read(Hex.bytes("81 cb 00 02 | 00 00 00 01 | 09 61 00 00"), 0, 12), "reason past the end");
    assertNull(SenderReport.read(Hex.bytes(CHROME_RR_SDES), 0, 60), "an RR is no SR");
    assertNull(ReceiverReport.read(new byte[3], 0, 3));
    assertNull(ReceiverReport.read(Hex.bytes(CHROME_RR_SDES), 0, 31), "length field past what was given");
  }

  @Test
  void writers_refuse_buffers_too_small_and_builders_more_than_31_items() {
    assertEquals(-1, new ReceiverReport(1, List.of(SR_BLOCK)).write(new byte[31], 0));
    assertEquals(-1, new Bye(List.of(1), "x").write(new byte[16], 10));
    List<ReportBlock> tooMany = java.util.Collections.nCopies(32, SR_BLOCK);
    assertThrows(IllegalArgumentException.class, () -> new ReceiverReport(1, tooMany));
  }
}

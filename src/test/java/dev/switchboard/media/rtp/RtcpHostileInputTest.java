package dev.switchboard.media.rtp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(20)
class RtcpHostileInputTest {
  /** Every packet type the node reads, one after another in one datagram, as the node would write them. */
  private static byte[] everyPacket() {
    byte[] b = new byte[1500];
    int at = 0;
    ReportBlock block = new ReportBlock(2, 10, -3, 70_000, 12, 0x11112222, 0x8000);
    at += new SenderReport(1, 0xe4a1b2c3_80000000L, 90000, 10, 1000, List.of(block)).write(b, at);
    at += new ReceiverReport(1, List.of(block, block)).write(b, at);
    at += new Sdes(List.of(new Sdes.Chunk(1, "4TOk42mSjXCkVIa6"), new Sdes.Chunk(3, "x"))).write(b, at);
    at += Pli.write(b, at, 1, 2);
    at += new Fir(1, List.of(new Fir.Entry(2, 9), new Fir.Entry(4, 1))).write(b, at);
    at += Nack.write(b, at, 1, 2, new int[] {5, 6, 9, 40, 65535}, 0, 5);
    at += new Remb(1, 2_500_000, List.of(2, 4)).write(b, at);
    TransportCcBuilder tcc = new TransportCcBuilder(100);
    tcc.reset(1, 2, 100, 1_000_000, 3);
    for (int i = 0; i < 60; i += 1 + i % 3) {
      tcc.addReceived(100 + i, 1_000_000 + i * (i % 7 == 0 ? 90_000L : 900L));
    }
    at += tcc.write(b, at);
    at += new Bye(List.of(1), "leaving").write(b, at);
    return java.util.Arrays.copyOf(b, at);
  }

  /** What the node does with each packet: hand it to the reader of its type. */
  private static int readAll(byte[] b, int off, int len) {
    RtcpCompound compound = new RtcpCompound().reset(b, off, len);
    int packets = 0;
    while (compound.next()) {
      int at = compound.offset();
      int room = off + len - at;
      assertTrue(at >= off && compound.length() <= room);
      SenderReport.read(b, at, room);
      ReceiverReport.read(b, at, room);
      Sdes.read(b, at, room);
      Bye.read(b, at, room);
      Fir.read(b, at, room);
      Fir.rewriteSsrc(b, at, room, 2, 3);
      Nack.lostSequenceNumbers(b, at, room);
      Remb.read(b, at, room);
      TransportCcFeedback.read(b, at, room);
      Pli.is(b, at, room);
      packets++;
    }
    return packets;
  }

  @Test
  void a_compound_of_every_packet_type_reads_back_packet_by_packet() {
    byte[] b = everyPacket();
    assertEquals(9, readAll(b, 0, b.length));
  }

  @Test
  void every_truncation_of_the_compound_is_read_without_exceptions() {
    byte[] b = everyPacket();
    for (int len = 0; len <= b.length; len++) {
      readAll(b, 0, len);
    }
  }

  @Test
  void random_corruptions_of_the_compound_are_read_without_exceptions() {
    byte[] valid = everyPacket();
    Random random = new Random(11);
    for (int round = 0; round < 30_000; round++) {
      byte[] b = valid.clone();
      int flips = 1 + random.nextInt(4);
      for (int k = 0; k < flips; k++) {
        b[random.nextInt(b.length)] = (byte) random.nextInt(256);
      }
      readAll(b, 0, b.length);
    }
  }

  @Test
  void random_bytes_with_an_rtcp_first_byte_are_read_without_exceptions() {
    Random random = new Random(5);
    for (int round = 0; round < 30_000; round++) {
      byte[] b = new byte[random.nextInt(80)];
      random.nextBytes(b);
      if (b.length > 0) {
        b[0] = (byte) (0x80 | b[0] & 0x3f);
      }
      if (b.length > 1) {
        b[1] = (byte) (200 + random.nextInt(7));
      }
      readAll(b, 0, b.length);
    }
  }
}

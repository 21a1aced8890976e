package dev.switchboard.media.forward;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@Timeout(5)
class SenderReportTranslatorTest {
  private static final int SOURCE = 0x1234_5678;
  private static final int OUT = 0x9ABC_DEF0;

  @Test
  void the_subscriber_gets_the_publishers_ntp_its_own_timestamps_and_what_we_sent_it() {
    Track track = new Track("cam", "alice", Track.Kind.VIDEO, SOURCE, 0, 90_000, 96);
    Downstream d = new Downstream("bob", track, OUT, 0, 100, 1_000_000L, 0);
    assertNull(SenderReportTranslator.translate(new SenderInfo(SOURCE, 1L << 40, 50_000L, 10, 10_000), d),
        "nothing sent yet");
    d.rewriter().forward(SOURCE, 7, 40_000L, 0);
    d.sent(1000);
    d.rewriter().forward(SOURCE, 8, 43_000L, 33_000_000L);
    d.sent(900);
    SenderInfo sr = SenderReportTranslator.translate(new SenderInfo(SOURCE, 1L << 40, 50_000L, 500, 400_000), d);
    assertEquals(OUT, sr.ssrc());
    assertEquals(1L << 40, sr.ntp());
    assertEquals(1_010_000L, sr.rtpTimestamp());
    assertEquals(2, sr.packetCount());
    assertEquals(1900, sr.octetCount());
  }

  @Test
  void a_report_of_a_source_that_no_longer_feeds_the_stream_is_not_translated() {
    Track track = new Track("cam", "alice", Track.Kind.VIDEO, SOURCE, 0, 90_000, 96);
    Downstream d = new Downstream("bob", track, OUT, 0, 100, 0, 0);
    d.rewriter().forward(SOURCE, 7, 40_000L, 0);
    d.rewriter().forward(0x0FED_CBA9, 1, 0, 1_000_000L);
    d.sent(10);
    assertNull(SenderReportTranslator.translate(new SenderInfo(SOURCE, 1L << 40, 50_000L, 1, 1), d));
  }
}

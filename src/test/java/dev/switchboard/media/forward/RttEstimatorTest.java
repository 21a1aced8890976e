package dev.switchboard.media.forward;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(5)
class RttEstimatorTest {
  private static long ms(long v) {
    return v * 1_000_000L;
  }

  @Test
  void rtt_is_the_time_since_our_sender_report_minus_the_peers_delay() {
    RttEstimator rtt = new RttEstimator();
    long ntp = 0xE000_0001_8000_0000L;
    rtt.senderReportSent(ntp, ms(1000));
    long lsr = (ntp >>> 16) & 0xFFFF_FFFFL;
    long dlsr = 65_536L / 10; // the peer held it 100 ms
    long sample = rtt.reportReceived(lsr, dlsr, ms(1300));
    assertEquals(ms(200), sample, ms(1) / 10.0);
    assertEquals(sample, rtt.rttNanos());
  }

  @Test
  void a_report_about_no_sender_report_of_ours_gives_no_sample() {
    RttEstimator rtt = new RttEstimator();
    assertEquals(-1, rtt.reportReceived(0, 0, ms(10)));
    assertEquals(-1, rtt.reportReceived(12345, 0, ms(10)));
    assertEquals(ms(100), rtt.rttNanos(ms(100)));
  }

  @Test
  void samples_are_smoothed_with_a_gain_of_an_eighth() {
    RttEstimator rtt = new RttEstimator();
    for (int i = 0; i < 3; i++) {
      rtt.senderReportSent((long) (i + 1) << 16, ms(1000L * i));
    }
    rtt.reportReceived(1, 0, ms(100));
    rtt.reportReceived(2, 0, ms(1000 + 180));
    assertEquals(ms(180), rtt.latestNanos());
    assertEquals(ms(110), rtt.rttNanos());
    rtt.reportReceived(3, 0, ms(2000 + 110));
    assertEquals(ms(110), rtt.rttNanos());
  }
}

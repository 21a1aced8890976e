package dev.switchboard.media.forward;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(5)
class BandwidthFeedbackTest {
  private static final long SECOND = 1_000_000_000L;

  private static long ms(long v) {
    return v * 1_000_000L;
  }

  @Test
  void without_loss_the_value_ramps_up_eight_percent_a_second_from_300_kbps() {
    BandwidthFeedback remb = new BandwidthFeedback();
    assertEquals(300_000, remb.estimate());
    for (int i = 0; i <= 10; i++) {
      remb.lossReported(0, i * SECOND);
    }
    assertEquals(300_000 * Math.pow(1.08, 10), remb.estimate(), 2);
  }

  @Test
  void loss_between_2_and_10_percent_holds_the_value() {
    BandwidthFeedback remb = new BandwidthFeedback();
    remb.lossReported(0, 0);
    for (int i = 1; i <= 5; i++) {
      remb.lossReported(13, i * SECOND); // 5 %
    }
    assertEquals(300_000, remb.estimate());
  }

  @Test
  void loss_above_10_percent_decreases_by_half_the_loss() {
    BandwidthFeedback remb = new BandwidthFeedback(1_000_000, 30_000, 2_500_000);
    remb.lossReported(64, 0); // 25 %
    assertEquals(1_000_000 * (1 - 0.5 * 0.25), remb.estimate(), 1);
    remb.lossReported(64, ms(100)); // too soon to react again
    assertEquals(875_000, remb.estimate(), 1);
    remb.lossReported(64, ms(400));
    assertEquals(875_000 * 0.875, remb.estimate(), 1);
  }

  @Test
  void a_decrease_starts_from_the_incoming_bitrate_when_that_is_lower() {
    BandwidthFeedback remb = new BandwidthFeedback(2_000_000, 30_000, 2_500_000);
    remb.incomingBitrate(500_000);
    remb.lossReported(64, 0);
    assertEquals(437_500, remb.estimate(), 1);
  }

  @Test
  void the_value_is_capped_by_the_maximum_and_by_the_weakest_subscriber() {
    BandwidthFeedback remb = new BandwidthFeedback(2_000_000, 30_000, 2_500_000);
    for (int i = 0; i <= 20; i++) {
      remb.lossReported(0, i * SECOND);
    }
    assertEquals(2_500_000, remb.estimate());
    remb.subscriberCap(800_000);
    assertEquals(800_000, remb.estimate());
    remb.lossReported(0, 21 * SECOND);
    assertEquals(800_000, remb.estimate());
    remb.subscriberCap(0); // the weak subscriber left: ramp from there
    remb.lossReported(0, 22 * SECOND);
    assertEquals(864_000, remb.estimate(), 1);
  }

  @Test
  void the_value_never_falls_below_the_minimum() {
    BandwidthFeedback remb = new BandwidthFeedback(100_000, 50_000, 2_500_000);
    for (int i = 0; i < 20; i++) {
      remb.lossReported(255, i * SECOND);
    }
    assertEquals(50_000, remb.estimate());
  }

  @Test
  void it_is_sent_every_second_and_at_once_on_a_significant_drop() {
    BandwidthFeedback remb = new BandwidthFeedback(1_000_000, 30_000, 2_500_000);
    assertEquals(1_000_000, remb.poll(0));
    assertEquals(-1, remb.poll(ms(500)));
    assertEquals(SECOND, remb.nextSendAt(ms(500)));
    remb.lossReported(0, ms(600));
    assertEquals(-1, remb.poll(ms(600)), "a rise waits for the period");
    assertEquals(1_000_000, remb.poll(SECOND));
    remb.lossReported(64, ms(1100));
    assertEquals(875_000, remb.poll(ms(1100)), "a drop goes at once");
  }

  @Test
  void nonsense_settings_are_refused() {
    assertThrows(IllegalArgumentException.class, () -> new BandwidthFeedback(10, 30_000, 2_500_000));
    assertThrows(IllegalArgumentException.class, () -> new BandwidthFeedback(300_000, 30_000, 20_000));
  }
}

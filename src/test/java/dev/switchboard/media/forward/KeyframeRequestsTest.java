package dev.switchboard.media.forward;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class KeyframeRequestsTest {
  private static long ms(long v) {
    return v * 1_000_000L;
  }

  @Test
  void the_first_request_is_sent_at_once() {
    KeyframeRequests k = new KeyframeRequests(ms(300));
    assertTrue(k.request(ms(5)));
    assertFalse(k.pending());
  }

  @Test
  void pli_from_ten_subscribers_within_the_throttle_window_reaches_the_publisher_once() {
    KeyframeRequests k = new KeyframeRequests(ms(300));
    int sent = 0;
    for (int i = 0; i < 10; i++) {
      sent += k.request(ms(10 * i)) ? 1 : 0;
    }
    k.keyframeReceived(); // the keyframe answers all of them
    for (long t = 0; t < ms(2000); t += ms(10)) {
      sent += k.poll(t) ? 1 : 0;
    }
    assertEquals(1, sent);
    assertEquals(10, k.requested());
    assertEquals(1, k.sent());
  }

  @Test
  void a_request_inside_the_window_is_sent_when_the_window_ends() {
    KeyframeRequests k = new KeyframeRequests(ms(300));
    assertTrue(k.request(0));
    assertFalse(k.request(ms(100)));
    assertEquals(ms(300), k.nextDue(ms(100)));
    assertFalse(k.poll(ms(299)));
    assertTrue(k.poll(ms(300)));
    assertFalse(k.poll(ms(301)), "sent once");
    assertEquals(Long.MAX_VALUE, k.nextDue(ms(301)));
  }

  @Test
  void a_keyframe_arriving_inside_the_window_clears_the_pending_request() {
    KeyframeRequests k = new KeyframeRequests(ms(300));
    k.request(0);
    k.request(ms(50));
    k.keyframeReceived();
    assertFalse(k.poll(ms(400)));
  }

  @Test
  void a_request_after_the_window_is_sent_at_once() {
    KeyframeRequests k = new KeyframeRequests(ms(300));
    assertTrue(k.request(0));
    assertTrue(k.request(ms(300)));
    assertTrue(k.request(ms(650)));
  }

  @Test
  void a_long_rtt_stretches_the_window() {
    KeyframeRequests k = new KeyframeRequests(ms(300));
    k.rtt(ms(500));
    assertTrue(k.request(0));
    assertFalse(k.request(ms(400)));
    assertFalse(k.poll(ms(499)));
    assertTrue(k.poll(ms(500)));
  }

  @Test
  void fir_sequence_numbers_increase_per_request_and_wrap_at_256() {
    KeyframeRequests k = new KeyframeRequests(ms(300));
    k.request(0);
    assertEquals(0, k.firSequenceNumber());
    k.request(ms(10)); // coalesced: no new request, no new number
    assertEquals(0, k.firSequenceNumber());
    k.poll(ms(300));
    assertEquals(1, k.firSequenceNumber());
    for (int i = 2; i <= 256; i++) {
      assertTrue(k.request(ms(300L * i)));
    }
    assertEquals(0, k.firSequenceNumber());
  }
}

package dev.switchboard.cluster;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pause detector on a clock moved by hand: ticks every 200 ms, threshold 2.5 s (half of 5 s). */
class PauseDetectorTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final PauseDetector detector = new PauseDetector(now::get, Duration.ofMillis(200),
      PauseDetector.thresholdFor(5));

  private void advance(long millis) {
    now.addAndGet(Duration.ofMillis(millis).toNanos());
  }

  /** The timer keeps its schedule for a while. */
  private void tickFor(long millis) {
    for (long t = 0; t < millis; t += 200) {
      advance(200);
      assertEquals(Duration.ZERO, detector.tick());
    }
  }

  @Test
  void the_threshold_is_half_the_failure_timeout() {
    assertEquals(Duration.ofMillis(2500), PauseDetector.thresholdFor(5));
    assertEquals(Duration.ofMillis(500), PauseDetector.thresholdFor(1));
    assertThrows(IllegalArgumentException.class,
        () -> new PauseDetector(now::get, Duration.ofMillis(200), Duration.ofMillis(200)));
  }

  @Test
  void ticks_on_schedule_and_ordinary_scheduling_delays_are_no_pause() {
    for (int i = 0; i < 50; i++) {
      advance(200);
      assertEquals(Duration.ZERO, detector.tick());
    }
    advance(200 + 2000); // a busy event loop, a young-generation GC, a slow neighbour on two cores
    assertEquals(Duration.ZERO, detector.tick());
    assertFalse(detector.pauseInProgress());
    assertFalse(detector.pausedWithin(Duration.ofSeconds(60)));
    assertEquals(Duration.ZERO, detector.lastPause());
  }

  @Test
  void a_jump_past_the_threshold_is_a_pause_of_the_time_beyond_the_schedule() {
    advance(200);
    detector.tick();
    advance(200 + 10_000); // SIGSTOP for 10 s
    assertEquals(Duration.ofSeconds(10), detector.tick());
    assertEquals(Duration.ofSeconds(10), detector.lastPause());
    assertTrue(detector.pausedWithin(Duration.ofSeconds(5)));
    tickFor(4_800);
    assertTrue(detector.pausedWithin(Duration.ofSeconds(5)), "still within the window");
    tickFor(400);
    assertFalse(detector.pausedWithin(Duration.ofSeconds(5)), "ended more than 5 s ago");
    assertEquals(Duration.ofSeconds(10), detector.lastPause(), "remembered");
  }

  @Test
  void a_caller_on_another_thread_sees_the_pause_before_the_timer_ticks_again() {
    advance(200);
    detector.tick();
    advance(200 + 2_400);
    assertFalse(detector.pauseInProgress(), "not yet beyond the threshold");
    advance(200);
    assertTrue(detector.pauseInProgress(), "overdue by more than the threshold: the node stood still");
    assertTrue(detector.pausedWithin(Duration.ZERO));
    assertTrue(detector.tick().compareTo(Duration.ofMillis(2500)) > 0, "the tick then records it");
    assertFalse(detector.pauseInProgress());
  }
}

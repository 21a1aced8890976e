package dev.switchboard.bench.media;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(10)
class LatencyHistogramTest {
  @Test
  void quantiles_are_the_upper_edge_of_the_bucket_holding_the_ranked_sample() {
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 1; i <= 100; i++) {
      h.record(i * 100_000L + 1); // 0.1 ms .. 10 ms, each just above a bucket edge
    }
    assertEquals(5_010_000, h.quantileNanos(0.5), "rank 50 is 5.000001 ms, its bucket ends at 5.01 ms");
    assertEquals(9_910_000, h.quantileNanos(0.99), "rank 99");
    assertEquals(10_000_001, h.quantileNanos(1.0), "the largest sample caps the last bucket's edge");
    assertEquals(100, h.samples());
  }

  @Test
  void a_single_sample_is_every_quantile_and_nothing_recorded_says_minus_one() {
    LatencyHistogram empty = new LatencyHistogram();
    assertEquals(-1, empty.quantileNanos(0.5));
    assertEquals(-1, empty.maxNanos());
    LatencyHistogram one = new LatencyHistogram();
    one.record(123_456);
    assertEquals(123_456, one.quantileNanos(0.01));
    assertEquals(123_456, one.quantileNanos(0.99));
  }

  @Test
  void samples_past_the_last_bucket_report_the_largest_one_and_negatives_count_as_zero() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(-5);
    h.record(3_000_000_000L); // 3 s: overflow
    h.record(2_000_000_000L);
    assertEquals(LatencyHistogram.BUCKET_NANOS, h.quantileNanos(0.3), "a negative sample sits in the first bucket");
    assertEquals(3_000_000_000L, h.quantileNanos(0.99), "the overflow bucket answers with the max");
    assertEquals(3_000_000_000L, h.maxNanos());
  }

  @Test
  void merged_histograms_answer_as_one_that_saw_every_sample() {
    LatencyHistogram a = new LatencyHistogram();
    LatencyHistogram b = new LatencyHistogram();
    LatencyHistogram all = new LatencyHistogram();
    for (int i = 0; i < 1000; i++) {
      long fast = 50_000 + i * 37L;
      long slow = 4_000_000 + i * 1_003L;
      a.record(fast);
      b.record(slow);
      all.record(fast);
      all.record(slow);
    }
    a.merge(b);
    assertEquals(all.samples(), a.samples());
    for (double q : new double[] {0.1, 0.5, 0.9, 0.99, 1.0}) {
      assertEquals(all.quantileNanos(q), a.quantileNanos(q), "q=" + q);
    }
    assertEquals(4_000_000 + 999 * 1_003L, a.maxNanos());
  }

  @Test
  void quantiles_outside_zero_to_one_are_refused() {
    LatencyHistogram h = new LatencyHistogram();
    assertThrows(IllegalArgumentException.class, () -> h.quantileNanos(0));
    assertThrows(IllegalArgumentException.class, () -> h.quantileNanos(1.5));
  }
}

package dev.switchboard.load;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load CLI's plain parts: option defaults, source address ranges, the socket URL, the histogram. */
@Timeout(10)
class LoadPartsTest {
  @Test
  void defaults_are_the_documented_ones() {
    LoadOptions idle = LoadOptions.parse(List.of("idle"));
    assertEquals(URI.create("ws://127.0.0.1:4000/socket/websocket"), idle.url());
    assertEquals(100, idle.sockets());
    assertEquals(5, idle.roomSize());
    assertEquals(10, idle.durationSeconds());
    assertEquals(30, idle.heartbeatSeconds());
    assertEquals(500, idle.connectRate());
    assertEquals(2, idle.eventLoops());
    assertEquals(10, LoadOptions.parse(List.of("relay")).pairs());
    assertEquals(0, LoadOptions.parse(List.of("relay")).rate());
    assertEquals(1, LoadOptions.parse(List.of("rtt")).pairs());
    assertEquals(50, LoadOptions.parse(List.of("rtt")).rate());
    assertEquals(10, LoadOptions.parse(List.of("churn")).rate());
  }

  @Test
  void help_anywhere_on_the_line_wins() {
    assertNull(LoadOptions.parse(List.of("idle", "--sockets", "x", "--help")));
  }

  @Test
  void durations_take_units() {
    assertEquals(300, LoadOptions.parse(List.of("idle", "--duration", "5m")).durationSeconds());
    assertEquals(45, LoadOptions.parse(List.of("idle", "--duration=45s")).durationSeconds());
    assertEquals(0, LoadOptions.parse(List.of("idle", "--duration", "0")).durationSeconds());
    assertThrows(LoadOptions.UsageError.class, () -> LoadOptions.parse(List.of("relay", "--duration", "0")));
  }

  @Test
  void source_addresses_as_count_range_or_list() {
    assertEquals(List.of("127.0.0.1", "127.0.0.2", "127.0.0.3"), SourceAddresses.parse("3"));
    assertEquals(List.of("127.0.0.254", "127.0.0.255", "127.0.1.0"), SourceAddresses.parse("127.0.0.254-127.0.1.0"));
    assertEquals(List.of("127.0.0.9", "127.0.0.5"), SourceAddresses.parse("127.0.0.9,127.0.0.5"));
    assertThrows(LoadOptions.UsageError.class, () -> SourceAddresses.parse("127.0.0.5-127.0.0.1"));
  }

  @Test
  void the_socket_url_always_asks_for_vsn_2() {
    assertEquals("/socket/websocket?vsn=2.0.0", Target.pathWithVersion(URI.create("ws://h/socket/websocket")));
    assertEquals("/socket/websocket?vsn=2.0.0", Target.pathWithVersion(URI.create("wss://h")));
    assertEquals("/s/websocket?a=1&vsn=2.0.0", Target.pathWithVersion(URI.create("ws://h/s/websocket?a=1")));
    assertEquals("/s/websocket?vsn=2.0.0&a=1", Target.pathWithVersion(URI.create("ws://h/s/websocket?vsn=2.0.0&a=1")));
  }

  @Test
  void histogram_percentiles_are_within_two_percent() {
    LatencyHistogram histogram = new LatencyHistogram();
    for (long micros = 1; micros <= 100_000; micros++) {
      histogram.recordMicros(micros);
    }
    LatencyHistogram.Snapshot snapshot = histogram.snapshot();
    assertEquals(100_000, snapshot.count());
    assertEquals(50.0, snapshot.millis(0.50), 50.0 * 0.02);
    assertEquals(99.0, snapshot.millis(0.99), 99.0 * 0.02);
    assertEquals(100.0, snapshot.maxMillis(), 100.0 * 0.02);
    assertTrue(Double.isNaN(new LatencyHistogram().snapshot().millis(0.5)), "no samples: no percentile");
  }

  @Test
  void histogram_buckets_cover_every_value_in_order() {
    long previous = -1;
    for (long micros : new long[] {0, 1, 63, 64, 65, 127, 128, 1000, 1_000_000, 1L << 40}) {
      int index = LatencyHistogram.index(micros);
      long lowest = LatencyHistogram.lowest(index);
      assertTrue(lowest <= micros && lowest >= previous, micros + " falls in a bucket starting at " + lowest);
      previous = lowest;
    }
  }

  @Test
  void draining_starts_the_window_over() {
    LatencyHistogram histogram = new LatencyHistogram();
    histogram.recordNanos(2_000_000);
    assertEquals(1, histogram.drain().count());
    assertEquals(0, histogram.snapshot().count());
  }
}

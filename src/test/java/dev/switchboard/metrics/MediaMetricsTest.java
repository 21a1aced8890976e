package dev.switchboard.metrics;

import dev.switchboard.media.forward.MediaCounters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class MediaMetricsTest {

  @Test
  void the_media_nodes_counters_and_population_are_scraped_as_switchboard_media_meters() {
    SwitchboardMetrics metrics = SwitchboardMetrics.create();
    MediaCounters media = new MediaCounters();
    metrics.media(media);
    media.packetIn(1200);
    media.packetIn(800);
    media.packetOut(1000);
    media.nackReceived();
    media.nackSent();
    media.nackSent();
    media.retransmissionSent();
    media.retransmissionReceived();
    media.pliSent();
    media.keyframeRequestReceived();
    media.packetNotReady();
    media.portDropped(() -> 7);
    media.population(3, 1, 6);
    String scrape = metrics.scrape();
    for (String line : new String[] {
        "switchboard_media_packets_total{direction=\"in\"} 2.0",
        "switchboard_media_packets_total{direction=\"out\"} 1.0",
        "switchboard_media_bytes_total{direction=\"in\"} 2000.0",
        "switchboard_media_nacks_total{direction=\"received\"} 1.0",
        "switchboard_media_nacks_total{direction=\"sent\"} 2.0",
        "switchboard_media_retransmissions_total{direction=\"sent\"} 1.0",
        "switchboard_media_retransmissions_total{direction=\"received\"} 1.0",
        "switchboard_media_keyframe_requests_total{direction=\"sent\"} 1.0",
        "switchboard_media_keyframe_requests_total{direction=\"received\"} 1.0",
        "switchboard_media_packets_dropped_total{reason=\"not_ready\"} 1.0",
        "switchboard_media_packets_dropped_total{reason=\"port\"} 7.0",
        "switchboard_media_participants 3.0",
        "switchboard_media_rooms 1.0",
        "switchboard_media_tracks 6.0"}) {
      assertTrue(scrape.contains(line), line + " in\n" + scrape);
    }
  }
}

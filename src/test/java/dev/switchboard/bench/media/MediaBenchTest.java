package dev.switchboard.bench.media;

import java.net.DatagramSocket;
import java.util.Map;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.switchboard.support.TestNode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The media benchmark in miniature against Switchboard only (Janus is the script's business), so it keeps working. */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class MediaBenchTest {
  @Test
  void a_mesh_of_three_gets_every_stream_forwarded_and_measured(Vertx vertx) throws Exception {
    int mediaPort;
    try (DatagramSocket probe = new DatagramSocket(0)) {
      mediaPort = probe.getLocalPort();
    }
    Map<String, String> media = Map.of("SWITCHBOARD_MEDIA_ENABLED", "true",
        "SWITCHBOARD_MEDIA_PORT", String.valueOf(mediaPort));
    MediaBench.Run tiny = new MediaBench.Run(15, 300_000, 1, 1, 2, ProcessHandle.current().pid(), 100);
    try (TestNode node = TestNode.start(vertx, media); SwitchboardSfu sfu = new SwitchboardSfu(node.port(), "tiny")) {
      MediaBench.Figures figures = tiny.measure(sfu, 3, 3);

      assertEquals(6, figures.expectedStreams(), "each of three watches the two others");
      assertEquals(6, figures.streams(), "every stream reached its watchers in the window: " + figures.line());
      assertTrue(figures.published() > 0 && figures.forwarded() > figures.published(),
          "each published packet goes to two watchers: " + figures.line());
      assertEquals(figures.forwarded(), figures.latency().samples(), "every forwarded packet is timed");
      assertTrue(figures.serverCpuSeconds() >= 0 && figures.rssKb() > 0, figures.line());
    }
  }
}

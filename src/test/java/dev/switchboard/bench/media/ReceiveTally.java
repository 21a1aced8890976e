package dev.switchboard.bench.media;

import java.util.HashMap;
import java.util.Map;

import dev.switchboard.media.client.MediaClient;
import dev.switchboard.media.client.ReceiverStats;
import dev.switchboard.media.client.Vp8Publisher;

/**
 * What one receiving connection gets of the benchmark's video, counted in windows: {@link #open} starts a
 * measured window (per-SSRC loss from sequence gaps, one latency histogram from the send time every payload
 * carries), {@link #close} ends it and returns it. Outside a window packets are only counted per SSRC, so the
 * bench can wait until every expected stream flows. RTCP and packets without a send time are ignored.
 * Called on the connection's reader thread ({@link #accept}) and the bench's main thread: synchronized.
 */
public final class ReceiveTally {
  /** One measured window of one receiver. */
  public static final class Window {
    final Map<Integer, ReceiverStats> streams = new HashMap<>();
    final LatencyHistogram latency = new LatencyHistogram();
  }

  private final Map<Integer, Long> seenBySsrc = new HashMap<>();
  private Window window;

  public synchronized void accept(MediaClient.Received packet) {
    if (packet.rtcp()) {
      return;
    }
    var rtp = packet.rtp();
    long sent = Vp8Publisher.sendNanos(packet.packet(), rtp.payloadOffset(), rtp.payloadLength());
    if (sent < 0) {
      return;
    }
    seenBySsrc.merge(rtp.ssrc(), 1L, Long::sum);
    if (window != null) {
      window.streams.computeIfAbsent(rtp.ssrc(), s -> new ReceiverStats())
          .record(rtp.sequence(), sent, packet.receivedNanos());
      window.latency.record(packet.receivedNanos() - sent);
    }
  }

  /** Streams (SSRCs) that delivered at least {@code packets} packets so far. */
  public synchronized int streamsWithAtLeast(long packets) {
    return (int) seenBySsrc.values().stream().filter(n -> n >= packets).count();
  }

  public synchronized void open() {
    window = new Window();
  }

  public synchronized Window close() {
    Window done = window;
    window = null;
    return done;
  }
}

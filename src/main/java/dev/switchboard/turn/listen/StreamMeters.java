package dev.switchboard.turn.listen;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Locale;

/** A stream listener's meters, named after its transport: switchboard_turn_tcp_* or switchboard_turn_tls_*. */
public final class StreamMeters {
  private StreamMeters() {
  }

  /** @param transport {@code tcp} or {@code tls} */
  public static void register(MeterRegistry registry, String transport, StreamListener listener) {
    String prefix = "switchboard.turn." + transport + ".";
    String name = transport.toUpperCase(Locale.ROOT);
    Gauge.builder(prefix + "connections", listener, StreamListener::connectionCount)
        .description("Open TURN-over-" + name + " connections").register(registry);
    FunctionCounter.builder(prefix + "dropped.packets", listener.droppedPackets, a -> a.sum())
        .description("Packets to " + name + " clients dropped because their send queue was full (slow readers)")
        .register(registry);
    FunctionCounter.builder(prefix + "received.bytes", listener.receivedBytes, a -> a.sum())
        .description("TURN stream bytes read from " + name + " clients (requests and media to relay; for TLS its"
            + " payload)").register(registry);
    FunctionCounter.builder(prefix + "sent.bytes", listener.sentBytes, a -> a.sum())
        .description("TURN stream bytes written to " + name + " clients (answers and relayed media; for TLS its"
            + " payload)").register(registry);
    FunctionCounter.builder(prefix + "refused.connections", listener.refusedConnections, a -> a.sum())
        .description(name + " connections refused by the total or per-address cap").register(registry);
    FunctionCounter.builder(prefix + "unauthenticated.closed", listener.unauthenticatedClosed, a -> a.sum())
        .description(name + " connections closed for not authenticating a request in time").register(registry);
  }
}

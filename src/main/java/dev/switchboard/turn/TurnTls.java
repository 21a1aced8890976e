package dev.switchboard.turn;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.turn.tls.CertificateReloader;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The relay's TLS front ({@code turns:}): the listener, and the certificate kept in step with its files
 * (checked on a worker every {@code turn.tls.reload-check-seconds}; a renewal reaches new connections).
 */
final class TurnTls {
  static final Duration UNAUTHENTICATED = Duration.ofSeconds(10);

  private final Vertx vertx;
  private final SwitchboardConfig.TurnTlsConfig config;
  private CertificateReloader certificates;
  private TlsListener listener;
  private long reloadTimer = -1;
  private int port;

  TurnTls(Vertx vertx, SwitchboardConfig.TurnTlsConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  /** Reads the certificate (a bad pair fails the start) and listens; completes with the bound port. */
  Future<Integer> start(TurnServer turn, String listenIp) {
    return vertx.executeBlocking(() -> CertificateReloader.load(vertx, Path.of(config.certFile()),
            Path.of(config.keyFile())))
        .compose(loaded -> {
          certificates = loaded;
          listener = new TlsListener(vertx, turn, new TlsListener.Limits(config.maxConnections(),
              config.maxConnectionsPerIp(), UNAUTHENTICATED), loaded.current());
          return listener.listen(listenIp, config.port());
        })
        .onSuccess(bound -> {
          port = bound;
          reloadTimer = vertx.setPeriodic(config.reloadCheck().toMillis(), t -> vertx
              .executeBlocking(certificates::check)
              .onSuccess(renewed -> renewed.ifPresent(listener::serve)));
        });
  }

  int port() {
    return port;
  }

  /** {@code turns:<host>:<port>?transport=tcp}, host being the certificate's name when configured. */
  String uri(String relayHost) {
    String host = config.host().isBlank() ? relayHost : config.host();
    return "turns:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "?transport=tcp";
  }

  void registerMeters(SwitchboardMetrics metrics) {
    var registry = metrics.registry();
    Gauge.builder("switchboard.turn.tls.connections", listener, TlsListener::openConnections).register(registry);
    FunctionCounter.builder("switchboard.turn.tls.dropped.packets", listener.droppedPackets, a -> a.sum())
        .description("Packets to TLS clients dropped because their send queue was full (slow readers)")
        .register(registry);
    FunctionCounter.builder("switchboard.turn.tls.received.bytes", listener.receivedBytes, a -> a.sum())
        .description("TURN stream bytes read from TLS clients (TLS payload: requests and media to relay)")
        .register(registry);
    FunctionCounter.builder("switchboard.turn.tls.sent.bytes", listener.sentBytes, a -> a.sum())
        .description("TURN stream bytes written to TLS clients (TLS payload: answers and relayed media)")
        .register(registry);
    FunctionCounter.builder("switchboard.turn.tls.refused.connections", listener.refusedConnections, a -> a.sum())
        .description("TLS connections refused by the total or per-address cap").register(registry);
    FunctionCounter.builder("switchboard.turn.tls.unauthenticated.closed", listener.unauthenticatedClosed,
        a -> a.sum()).description("TLS connections closed for holding no allocation 10 s after connecting")
        .register(registry);
    FunctionCounter.builder("switchboard.turn.tls.certificate.reloads", certificates.reloads, a -> a.sum())
        .register(registry);
    FunctionCounter.builder("switchboard.turn.tls.certificate.failed.reloads", certificates.failedReloads,
        a -> a.sum()).description("Changed certificate files that could not be served (the old one stays)")
        .register(registry);
  }

  Future<Void> close() {
    if (reloadTimer >= 0) {
      vertx.cancelTimer(reloadTimer);
    }
    return listener == null ? Future.succeededFuture() : listener.close();
  }
}

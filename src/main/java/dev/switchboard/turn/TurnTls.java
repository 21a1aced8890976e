package dev.switchboard.turn;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.turn.listen.StreamListener;
import dev.switchboard.turn.listen.StreamMeters;
import dev.switchboard.turn.tls.CertificateReloader;
import io.micrometer.core.instrument.FunctionCounter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;

/**
 * The relay's TLS front ({@code turns:}): a {@link StreamListener} with a certificate, and the certificate kept in
 * step with its files (checked on a worker every {@code turn.tls.reload-check-seconds}; a renewal reaches new
 * connections).
 */
final class TurnTls {
  private final Vertx vertx;
  private final SwitchboardConfig.TurnTlsConfig config;
  private CertificateReloader certificates;
  private StreamListener listener;
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
          listener = turn.streamListener(TurnRelayVerticle.limits(config.limits()), loaded.current().keyCertOptions());
          return listener.listen(listenIp, config.port(), turn.streamAcceptors());
        })
        .onSuccess(bound -> {
          port = bound;
          reloadTimer = vertx.setPeriodic(config.reloadCheck().toMillis(), t -> vertx
              .executeBlocking(certificates::check)
              .onSuccess(renewed -> renewed.ifPresent(identity -> listener.serve(identity.keyCertOptions()))));
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
    StreamMeters.register(registry, "tls", listener);
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

package dev.switchboard.metrics;

import dev.switchboard.config.PortUnavailable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;

/**
 * Prometheus scrape endpoint {@code GET /metrics} on its own address and port, so that it is not
 * reachable through the public reverse proxy unless an operator decides so.
 */
public final class MetricsVerticle extends VerticleBase {
  private final SwitchboardMetrics metrics;
  private final String host;
  private final int port;
  private HttpServer server;

  public MetricsVerticle(SwitchboardMetrics metrics, String host, int port) {
    this.metrics = metrics;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer().requestHandler(request -> {
      if ("/metrics".equals(request.path())) {
        request.response().putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape());
      } else {
        request.response().setStatusCode(404).end("metrics are at /metrics\n");
      }
    });
    return server.listen(port, host).recover(e -> Future.failedFuture(e instanceof java.net.BindException
        ? new PortUnavailable("metrics.port", host + ":" + port, e) : e));
  }

  public int port() {
    return server.actualPort();
  }
}

package dev.switchboard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Switchboard's own meters, named so that Prometheus shows them as {@code switchboard_*}. Thread-safe:
 * shared by every gateway instance and the registry. Tag values come from closed sets, so a client
 * cannot create series (signal kinds outside the usual ones count as {@code other}).
 */
public final class SwitchboardMetrics {
  private static final Set<String> KNOWN_KINDS = Set.of("offer", "answer", "candidate", "ice-restart", "bye");

  private final PrometheusMeterRegistry registry;
  private final AtomicInteger sockets = new AtomicInteger();
  private final AtomicInteger joinedPeers = new AtomicInteger();
  private final Timer signalDelivery;
  private final Counter heartbeatTimeouts;

  public SwitchboardMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    registry.gauge("switchboard.sockets.connected", sockets);
    registry.gauge("switchboard.peers.joined", joinedPeers);
    signalDelivery = Timer.builder("switchboard.signal.delivery")
        .description("From the signal frame's arrival to the registry's confirmation that it was sent to the target")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(0).plusNanos(50_000))
        .maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry);
    heartbeatTimeouts = Counter.builder("switchboard.heartbeat.timeouts")
        .description("Sockets closed because they sent nothing for channel.idle-timeout-seconds").register(registry);
  }

  public static SwitchboardMetrics create() {
    return new SwitchboardMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter in the registry (Switchboard's and Vert.x's). */
  public String scrape() {
    return registry.scrape();
  }

  public void socketOpened() {
    sockets.incrementAndGet();
  }

  public void socketClosed() {
    sockets.decrementAndGet();
  }

  public void peerJoined() {
    joinedPeers.incrementAndGet();
  }

  public void peerLeft() {
    joinedPeers.decrementAndGet();
  }

  /** @param result {@code ok} or the refusal reason */
  public void join(String result) {
    registry.counter("switchboard.joins", "result", result).increment();
  }

  public void signalRelayed(String kind, long nanosSinceArrival) {
    registry.counter("switchboard.signals.relayed", "kind", KNOWN_KINDS.contains(kind) ? kind : "other").increment();
    signalDelivery.record(nanosSinceArrival, TimeUnit.NANOSECONDS);
  }

  public void signalRefused(String reason) {
    registry.counter("switchboard.signals.refused", "reason", reason).increment();
  }

  public void heartbeatTimeout() {
    heartbeatTimeouts.increment();
  }
}

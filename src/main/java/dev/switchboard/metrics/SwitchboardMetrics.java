package dev.switchboard.metrics;

import dev.switchboard.media.forward.MediaCounters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
  // looked up once per tag value: a registry lookup per signal (tags, hashing, double-registration checks) was a
  // measurable share of the signaling hot path
  private final Map<String, Counter> relayedByKind = new ConcurrentHashMap<>();
  private final Map<String, Counter> refusedByReason = new ConcurrentHashMap<>();
  private final Map<String, Counter> signalsByPath = new ConcurrentHashMap<>();
  private final Map<String, Counter> joinsByResult = new ConcurrentHashMap<>();
  private final Map<String, Counter> socketsRefusedByReason = new ConcurrentHashMap<>();
  private final Map<String, Counter> accessRefusedByReason = new ConcurrentHashMap<>();
  private final Counter slowReaderCloses;
  private final AtomicInteger heldSessions = new AtomicInteger();
  private final Map<String, Counter> sessionOutcomes = new ConcurrentHashMap<>();

  public SwitchboardMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    registry.gauge("switchboard.sockets.connected", sockets);
    registry.gauge("switchboard.peers.joined", joinedPeers);
    registry.gauge("switchboard.sessions.held", heldSessions);
    signalDelivery = Timer.builder("switchboard.signal.delivery")
        .description("From the signal frame's arrival to the confirmation that the target's socket took it")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(0).plusNanos(50_000))
        .maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry);
    heartbeatTimeouts = Counter.builder("switchboard.heartbeat.timeouts")
        .description("Sockets closed because they sent nothing for channel.idle-timeout-seconds").register(registry);
    slowReaderCloses = Counter.builder("switchboard.sockets.slow.reader.closed")
        .description("Sockets closed because their outbound queue stayed full for channel.slow-reader-seconds")
        .register(registry);
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

  /** A session lost its socket and is held for a resume (protocol.md §7), or no longer is. */
  public void sessionHeld(boolean held) {
    if (held) {
      heldSessions.incrementAndGet();
    } else {
      heldSessions.decrementAndGet();
    }
  }

  /** How a held session ended: {@code resumed}, {@code expired} (window over) or {@code overflow} (held signals). */
  public void sessionOutcome(String outcome) {
    counter(sessionOutcomes, "switchboard.sessions.held.outcome", "outcome", outcome).increment();
  }

  public void peerJoined() {
    joinedPeers.incrementAndGet();
  }

  public void peerLeft() {
    joinedPeers.decrementAndGet();
  }

  /** @param result {@code ok} or the refusal reason */
  public void join(String result) {
    counter(joinsByResult, "switchboard.joins", "result", result).increment();
  }

  public void signalRelayed(String kind, long nanosSinceArrival) {
    counter(relayedByKind, "switchboard.signals.relayed", "kind", KNOWN_KINDS.contains(kind) ? kind : "other").increment();
    signalDelivery.record(nanosSinceArrival, TimeUnit.NANOSECONDS);
  }

  /**
   * The path a signal took from its sender's gateway: {@code direct} (target on this node), {@code bus}
   * (target on another node) or {@code registry} (membership not known at the gateway: the store was asked).
   */
  public void signalPath(String path) {
    counter(signalsByPath, "switchboard.signals.path", "path", path).increment();
  }

  public void signalRefused(String reason) {
    counter(refusedByReason, "switchboard.signals.refused", "reason", reason).increment();
  }

  private Counter counter(Map<String, Counter> cache, String name, String tag, String value) {
    return cache.computeIfAbsent(value, v -> registry.counter(name, tag, v));
  }

  /** @param reason {@code node_full} or {@code too_many_connections} */
  public void socketRefused(String reason) {
    counter(socketsRefusedByReason, "switchboard.sockets.refused", "reason", reason).increment();
  }

  /** A refusal of identity and access: {@code where} (connect, join, signal, admin, refresh) and why. */
  public void accessRefused(String where, String reason) {
    counter(accessRefusedByReason, "switchboard.access.refused", "refusal", where + ":" + reason).increment();
  }

  public void slowReaderClosed() {
    slowReaderCloses.increment();
  }

  /**
   * The media node's counters as {@code switchboard_media_*}: read at each scrape from the packet thread's
   * {@link MediaCounters} (no meter is touched on the packet path).
   */
  public void media(MediaCounters media) {
    mediaCounter("switchboard.media.packets", "direction", "in", media, MediaCounters::packetsIn);
    mediaCounter("switchboard.media.packets", "direction", "out", media, MediaCounters::packetsOut);
    mediaCounter("switchboard.media.bytes", "direction", "in", media, MediaCounters::bytesIn);
    mediaCounter("switchboard.media.bytes", "direction", "out", media, MediaCounters::bytesOut);
    mediaCounter("switchboard.media.nacks", "direction", "received", media, MediaCounters::nacksReceived);
    mediaCounter("switchboard.media.nacks", "direction", "sent", media, MediaCounters::nacksSent);
    mediaCounter("switchboard.media.retransmissions", "direction", "received", media,
        MediaCounters::retransmissionsReceived);
    mediaCounter("switchboard.media.retransmissions", "direction", "sent", media, MediaCounters::retransmissionsSent);
    mediaCounter("switchboard.media.keyframe.requests", "direction", "received", media,
        MediaCounters::keyframeRequestsReceived);
    mediaCounter("switchboard.media.keyframe.requests", "direction", "sent", media, MediaCounters::plisSent);
    mediaCounter("switchboard.media.packets.dropped", "reason", "not_ready", media, MediaCounters::droppedNotReady);
    mediaCounter("switchboard.media.packets.dropped", "reason", "port", media, MediaCounters::portDropped);
    Gauge.builder("switchboard.media.participants", media, MediaCounters::participants).register(registry);
    Gauge.builder("switchboard.media.rooms", media, MediaCounters::rooms).register(registry);
    Gauge.builder("switchboard.media.tracks", media, MediaCounters::tracks).register(registry);
  }

  private void mediaCounter(String name, String tag, String value, MediaCounters media,
      java.util.function.ToLongFunction<MediaCounters> read) {
    FunctionCounter.builder(name, media, m -> read.applyAsLong(m)).tag(tag, value).register(registry);
  }

  /**
   * A clustered node's event-bus consumers as {@code switchboard_eventbus_consumers{family, scope}}: the ones
   * it registered and has not removed, by address family, {@code scope="cluster"} (each one an entry of the
   * cluster's subscription map) or {@code "local"}; and {@code switchboard_cluster_subscriptions_stored{copy}},
   * the entries of that map, every node's, that this member holds as owner or backup. Read at each scrape.
   *
   * @param consumers (family, cluster-wide?) → count
   * @param stored {owned, backup}
   */
  public void clusterBus(Set<String> families, java.util.function.BiFunction<String, Boolean, Long> consumers,
      java.util.function.Supplier<long[]> stored) {
    for (String family : families) {
      for (boolean clusterWide : new boolean[] {true, false}) {
        Gauge.builder("switchboard.eventbus.consumers", () -> consumers.apply(family, clusterWide))
            .tag("family", family).tag("scope", clusterWide ? "cluster" : "local").register(registry);
      }
    }
    Gauge.builder("switchboard.cluster.subscriptions.stored", () -> stored.get()[0]).tag("copy", "owned")
        .register(registry);
    Gauge.builder("switchboard.cluster.subscriptions.stored", () -> stored.get()[1]).tag("copy", "backup")
        .register(registry);
  }

  public void heartbeatTimeout() {
    heartbeatTimeouts.increment();
  }
}

package dev.switchboard.turn;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.TurnRevocation;
import dev.switchboard.config.PortUnavailable;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.turn.listen.StreamLimits;
import dev.switchboard.turn.listen.StreamMeters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in TURN relay as a worker verticle: binding and the control plane setup happen here, the
 * packet paths run on the server's own threads.
 */
public final class TurnRelayVerticle extends VerticleBase {
  private final SwitchboardConfig.TurnConfig config;
  private final TurnCredentials credentials;
  private final SwitchboardMetrics metrics;
  private final Clock clock;
  private TurnServer server;
  private Revocations revocations;
  private Admission admission;
  private SwitchboardConfig.TurnTlsConfig tlsConfig;
  private TurnTls tls;
  private SwitchboardConfig.MediaConfig mediaNode;

  public TurnRelayVerticle(SwitchboardConfig.TurnConfig config, TurnCredentials credentials, SwitchboardMetrics metrics) {
    this(config, credentials, metrics, Clock.systemUTC());
  }

  /** @param clock credential expiry, nonces and lifetimes are read from it (a fake one in specs) */
  public TurnRelayVerticle(SwitchboardConfig.TurnConfig config, TurnCredentials credentials, SwitchboardMetrics metrics,
                           Clock clock) {
    this.config = config;
    this.credentials = credentials;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** TURN over TLS beside UDP and TCP, when {@code turn.tls} names a certificate. */
  public TurnRelayVerticle withTls(SwitchboardConfig.TurnTlsConfig tlsConfig) {
    this.tlsConfig = tlsConfig;
    return this;
  }

  /** The local media node's announced address, admitted as a peer despite the deny-list, when configured. */
  public TurnRelayVerticle withMediaNode(SwitchboardConfig.MediaConfig mediaNode) {
    this.mediaNode = mediaNode;
    return this;
  }

  @Override
  public Future<?> start() throws Exception {
    TurnSettings settings = settings(config);
    List<InetAddress> own = new ArrayList<>(List.of(settings.relayIp()));
    if (settings.relayIpv6() != null) {
      own.add(settings.relayIpv6());
    }
    if (settings.externalIp() != null) {
      own.add(settings.externalIp());
    }
    Map<String, String> staticUsers = new HashMap<>();
    config.staticUsers().forEach(u -> staticUsers.put(u.substring(0, u.indexOf(':')), u.substring(u.indexOf(':') + 1)));
    LongTermAuth auth = new LongTermAuth(settings.realm(), credentials, staticUsers, new NonceService(600));
    revocations = new Revocations(clock, credentials.ttl());
    admission = new Admission(revocations, settings.userQuota(), settings.identityQuota());
    PeerPolicy policy = new PeerPolicy(config.allowedPeers(), own);
    if (mediaNode != null && mediaNode.configured()) {
      policy = policy.admitting(new InetSocketAddress(address("media.public-ip", mediaNode.announcedIp()),
          mediaNode.port()));
    }
    server = new TurnServer(vertx, settings, auth, policy, admission, clock, limits(config.tcp()));
    try {
      server.start();
    } catch (java.net.BindException e) {
      server.close();
      throw new PortUnavailable("turn.port", settings.listenIp().getHostAddress() + ":" + settings.port() + " (udp+tcp)", e);
    }
    registerMeters();
    Future<Void> status = vertx.eventBus().<JsonObject>localConsumer(Addresses.TURN_STATUS,
        message -> message.reply(new JsonObject().put("listening", true).put("allocations", server.allocationCount())))
        .completion();
    // not local: a peer's session may end on any node, and it may have allocated on this one
    Future<Void> revoke = vertx.eventBus().consumer(Addresses.TURN_REVOKE, message -> {
      if (message.body() instanceof JsonObject json) {
        revocations.revoke(TurnRevocation.fromJson(json));
      }
    }).completion();
    Future<Void> front = Future.succeededFuture();
    if (tlsConfig != null && tlsConfig.enabled()) {
      tls = new TurnTls(vertx, tlsConfig);
      front = tls.start(server, settings.listenIp().getHostAddress()).onSuccess(port -> tls.registerMeters(metrics))
          .mapEmpty();
    }
    return Future.all(status, revoke, front);
  }

  /** The port of TURN over TLS, or -1 when it is off. */
  public int tlsPort() {
    return tls == null ? -1 : tls.port();
  }

  public int port() throws java.io.IOException {
    return server.port();
  }

  private void registerMeters() {
    var registry = metrics.registry();
    Gauge.builder("switchboard.turn.allocations.active", server, TurnServer::allocationCount).register(registry);
    Gauge.builder("switchboard.turn.permissions.active", server, TurnServer::permissionCount).register(registry);
    Gauge.builder("switchboard.turn.channels.active", server, TurnServer::channelCount).register(registry);
    FunctionCounter.builder("switchboard.turn.relayed.packets", server.relayedPackets, a -> a.sum()).register(registry);
    FunctionCounter.builder("switchboard.turn.relayed.bytes", server.relayedBytes, a -> a.sum()).register(registry);
    FunctionCounter.builder("switchboard.turn.udp.dropped.packets", server, TurnServer::udpDroppedPackets)
        .description("Datagrams dropped because a UDP socket's send queue was full (epoll engine)")
        .tag("engine", server.udpEngine()).register(registry);
    FunctionCounter.builder("switchboard.turn.auth.failures", server.authFailures, a -> a.sum()).register(registry);
    StreamMeters.register(registry, "tcp", server.tcpListener());
    FunctionCounter.builder("switchboard.turn.revoked.refused", admission.revokedRefusals, a -> a.sum())
        .description("Allocate requests refused (401) because their username or peer was revoked").register(registry);
    FunctionCounter.builder("switchboard.turn.revoked.torn.down", admission.revokedTeardowns, a -> a.sum())
        .description("Allocations ended early because their username or peer was revoked").register(registry);
    Gauge.builder("switchboard.turn.revocations.held", revocations, Revocations::size)
        .description("Revoked usernames and peer ids remembered until their credentials expire").register(registry);
  }

  @Override
  public Future<?> stop() {
    if (server != null) {
      server.close();
    }
    return tls == null ? Future.succeededFuture() : tls.close();
  }

  /** A stream listener's limits as configured ({@code turn.tcp}, {@code turn.tls}). */
  static StreamLimits limits(SwitchboardConfig.StreamLimitsConfig config) {
    return new StreamLimits(config.maxConnections(), config.maxConnectionsPerIp(), config.authTimeout(),
        config.sendQueueBytes());
  }

  static TurnSettings settings(SwitchboardConfig.TurnConfig config) {
    return new TurnSettings(address("turn.listen-ip", config.listenIp()), config.port(),
        address("turn.relay-ip", config.relayIp()),
        config.relayIpv6().isBlank() ? null : address("turn.relay-ipv6", config.relayIpv6()),
        config.externalIp().isBlank() ? null : address("turn.external-ip", config.externalIp()),
        config.minPort(), config.maxPort(), config.realm(), config.userQuota(), config.identityQuota(),
        config.totalQuota(),
        config.maxPermissions(), config.maxChannels(), config.bandwidthBytesPerSecond(),
        config.allocationLifetimeSeconds(), config.maxAllocationLifetimeSeconds(), "Switchboard",
        config.threads() > 0 ? config.threads() : Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
        config.io());
  }

  private static InetAddress address(String key, String literal) {
    if (!literal.matches("[0-9a-fA-F:.]+")) {
      throw new ConfigException(key + " must be an IP address, found: " + literal);
    }
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new ConfigException(key + " must be an IP address, found: " + literal);
    }
  }

  /** The URLs the built-in relay is reached at, for the handed-out ICE servers. */
  public List<String> uris() throws java.io.IOException {
    String host = config.externalIp().isBlank() ? config.relayIp() : config.externalIp();
    String hostPort = (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port();
    List<String> uris = new ArrayList<>(List.of("stun:" + hostPort, "turn:" + hostPort + "?transport=udp",
        "turn:" + hostPort + "?transport=tcp"));
    if (tls != null) {
      uris.add(tls.uri(host));
    }
    return uris;
  }
}

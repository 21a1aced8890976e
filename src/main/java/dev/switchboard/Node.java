package dev.switchboard;

import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.gateway.BusIceServers;
import dev.switchboard.gateway.ConnectionLimits;
import dev.switchboard.gateway.LocalPeers;
import dev.switchboard.metrics.MetricsVerticle;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.bus.Addresses;
import dev.switchboard.cluster.ClusterHealth;
import dev.switchboard.cluster.ClusterSupport;
import dev.switchboard.cluster.PauseDetector;
import dev.switchboard.placement.MediaPlacement;
import dev.switchboard.placement.RedisPlacementStore;
import dev.switchboard.room.InMemoryRoomStore;
import dev.switchboard.room.RedisRoomStore;
import dev.switchboard.room.RoomStore;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisAPI;
import dev.switchboard.media.MediaVerticle;
import dev.switchboard.media.forward.Router;
import dev.switchboard.media.forward.MediaCounters;
import dev.switchboard.room.RoomRegistryVerticle;
import dev.switchboard.turn.IceServerList;
import dev.switchboard.turn.TurnCredentials;
import dev.switchboard.turn.TurnCredentialsVerticle;
import dev.switchboard.turn.TurnRelayVerticle;
import io.vertx.core.ThreadingModel;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/**
 * One Switchboard node inside a Vert.x instance: the registry, then the gateway instances. Stopping
 * undeploys the gateways first, so every peer leaves its rooms while the registry still answers.
 */
public final class Node {
  private static final Logger LOG = Logger.getLogger(Node.class.getName());
  private final Vertx vertx;
  private final SwitchboardConfig config;
  private final SwitchboardMetrics metrics;
  private MetricsVerticle metricsVerticle;
  private final List<GatewayVerticle> gateways = new CopyOnWriteArrayList<>();
  private String registryDeployment;
  private String gatewayDeployment;
  private String metricsDeployment;
  private String turnCredentialsDeployment;
  private String relayDeployment;
  private String mediaDeployment;
  private final List<Long> timers = new CopyOnWriteArrayList<>();
  private static final long HEARTBEAT_MILLIS = 2_000;
  /** How often the pause detector ticks. */
  private static final Duration PAUSE_TICK = Duration.ofMillis(200);
  private static final Duration HEAL_SETTLE_MARGIN = Duration.ofSeconds(1);
  /** WebSocket close code "service restart": clients reconnect (phoenix.js does on any server close). */
  private static final short CLOSE_SERVICE_RESTART = 1012;
  /** A node whose last heartbeat in Redis is older than this is silent: it no longer counts as live. */
  private static final Duration HEARTBEAT_TTL = Duration.ofSeconds(10);
  private TurnRelayVerticle relay;
  /** The media node, when this node runs one; its port is known once bound. */
  private MediaVerticle media;

  private Node(Vertx vertx, SwitchboardConfig config, SwitchboardMetrics metrics) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
  }

  /** Open mode admits anyone who knows a room's name: fine on localhost, a choice to make knowingly elsewhere. */
  private static void warnIfOpenToTheNetwork(SwitchboardConfig config) {
    String host = config.http().host();
    boolean loopback = host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
    if (!config.auth().tokenMode() && !loopback) {
      LOG.warning("auth.mode is open and http.host is " + host + ": anyone who can reach this node and knows a room "
          + "name can join it; deployments set auth.mode=token (README, Security)");
    }
  }

  public static Future<Node> start(Vertx vertx, SwitchboardConfig configured, SwitchboardMetrics metrics) {
    boolean clustered = configured.cluster().enabled();
    SwitchboardConfig config = clustered ? configured.withNodeId(ClusterSupport.nodeId(vertx)) : configured;
    Node node = new Node(vertx, config, metrics);
    warnIfOpenToTheNetwork(config);
    RedisAPI redis = !clustered ? null : RedisAPI.api(Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(config.cluster().redisUrl()).setMaxPoolSize(8).setMaxPoolWaiting(256)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout(2_000))));
    RedisRoomStore shared = !clustered ? null : new RedisRoomStore(redis, config.cluster().redisCommandTimeout(),
        HEARTBEAT_TTL);
    RoomStore store = clustered ? shared : new InMemoryRoomStore();
    ClusterHealth health = !clustered ? null : node.clusterHealth(shared);
    MediaPlacement placement = !clustered ? MediaPlacement.singleNode(config.nodeId())
        : new MediaPlacement(config.nodeId(), config.media().enabled(),
            new RedisPlacementStore(redis, config.cluster().redisCommandTimeout(), HEARTBEAT_TTL), nodeId -> {
              List<String> members = ClusterSupport.members(vertx);
              return members.isEmpty() || members.contains(nodeId); // an empty view cannot tell: no take-over
            });
    if (clustered) {
      // every survivor asks its own registry to reap; the atomic Redis script gives each peer to one of them
      // (unless this node itself stood still: then its view is the stale one); the gateways and the media
      // node hear of it too (rooms whose media it served, participants whose socket it held)
      ClusterSupport.onNodeLeft(vertx, lost -> {
        health.nodeLeft(lost);
        if (health.admitting()) { // not from a stale view (this node stood still): the node may be alive
          vertx.eventBus().publish(Addresses.NODE_LOST, lost, new DeliveryOptions().setLocalOnly(true));
        }
      });
      // listed in Redis before any peer can join here; the heartbeat also catches nodes that died while
      // no other member was there to see it
      shared.heartbeat(config.nodeId());
      node.timers.add(vertx.setPeriodic(HEARTBEAT_MILLIS, t -> health.heartbeatCycle()));
      node.timers.add(vertx.setPeriodic(PAUSE_TICK.toMillis(), t -> health.tick()));
    }
    // one set of caps for all gateway instances: a client's share of the node does not grow with the instances
    ConnectionLimits connectionLimits = GatewayVerticle.limitsFor(config);
    // one map of the node's sessions: a signal to a peer of another gateway instance is still written directly
    LocalPeers localPeers = new LocalPeers();
    TurnCredentials credentials;
    try {
      credentials = turnCredentials(config);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return vertx.deployVerticle(new RoomRegistryVerticle(store, config.rooms().peerCap(), metrics))
        .compose(id -> {
          node.registryDeployment = id;
          if (!config.media().enabled()) {
            return Future.succeededFuture();
          }
          // before the relay, so that relay-only participants reach a node that listens
          MediaCounters mediaCounters = new MediaCounters();
          metrics.media(mediaCounters);
          node.media = new MediaVerticle(config.media(), config.nodeId(), mediaCounters,
              Router.Limits.defaults().perRoom(config.rooms().maxPeers()));
          return vertx.deployVerticle(node.media).map(mediaId -> node.mediaDeployment = mediaId);
        })
        .compose(id -> {
          if (!config.turn().relayEnabled()) {
            return Future.succeededFuture();
          }
          node.relay = new TurnRelayVerticle(config.turn(), credentials, metrics).withTls(config.turnTls())
              .withMediaNode(node.mediaConfig());
          return vertx.deployVerticle(node.relay, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER))
              .map(relayId -> node.relayDeployment = relayId);
        })
        .compose(id -> {
          List<String> uris = config.turn().uris();
          if (uris.isEmpty() && node.relay != null) {
            try {
              uris = node.relay.uris();
            } catch (java.io.IOException e) {
              return Future.failedFuture(e);
            }
          }
          return vertx.deployVerticle(new TurnCredentialsVerticle(credentials, new IceServerList(uris),
              Clock.systemUTC()));
        })
        .compose(id -> {
          node.turnCredentialsDeployment = id;
          if (!config.metrics().enabled()) {
            return Future.succeededFuture();
          }
          node.metricsVerticle = new MetricsVerticle(metrics, config.metrics().host(), config.metrics().port());
          return vertx.deployVerticle(node.metricsVerticle).map(metricsId -> node.metricsDeployment = metricsId);
        })
        .compose(ignored -> vertx.deployVerticle(() -> {
          GatewayVerticle gateway = new GatewayVerticle(config, new BusIceServers(vertx.eventBus()), metrics,
              connectionLimits, localPeers);
          if (health != null) {
            gateway.clusterHooks(health::admitting, health::readiness);
          }
          gateway.mediaPlacement(placement);
          node.gateways.add(gateway);
          return gateway;
        }, new DeploymentOptions().setInstances(config.http().instances())))
        .map(id -> {
          node.gatewayDeployment = id;
          return node;
        });
  }

  /** The media node's configuration with the port it is bound to (media.port 0 binds any free one). */
  public SwitchboardConfig.MediaConfig mediaConfig() {
    return media == null ? config.media() : config.media().withPort(media.localAddress().getPort());
  }

  /** The cluster health of this node, acting on its gateways, its registry and Redis. */
  private ClusterHealth clusterHealth(RedisRoomStore shared) {
    int failureTimeout = config.cluster().failureTimeoutSeconds();
    PauseDetector detector = new PauseDetector(System::nanoTime, PAUSE_TICK, PauseDetector.thresholdFor(failureTimeout));
    // Hazelcast drops members it has not heard from for the failure timeout: its view is trusted after that
    Duration settle = Duration.ofSeconds(failureTimeout).plus(HEAL_SETTLE_MARGIN);
    return new ClusterHealth(config.nodeId(), detector, settle, System::nanoTime, new ClusterHealth.Ports() {
      @Override
      public List<String> clusterMembers() {
        return ClusterSupport.members(vertx);
      }

      @Override
      public boolean clusterJoined() {
        return ClusterSupport.active(vertx);
      }

      @Override
      public Future<Void> heartbeat() {
        return shared.heartbeat(config.nodeId()).mapEmpty();
      }

      @Override
      public Future<List<String>> liveNodes() {
        return shared.liveNodes();
      }

      @Override
      public Future<List<String>> silentNodes() {
        return shared.silentNodes();
      }

      @Override
      public Future<Integer> reap(String nodeId, boolean onlyIfSilent) {
        return Node.reap(vertx, nodeId, onlyIfSilent);
      }

      @Override
      public Future<Void> closeClientSockets() {
        return Future.join(gateways.stream().map(g -> g.closeAll(CLOSE_SERVICE_RESTART, "service restart")).toList())
            .<Void>mapEmpty().timeout(config.shutdownGrace().toMillis() + 1_000, TimeUnit.MILLISECONDS);
      }
    });
  }

  /**
   * Asks this node's registry to remove a dead node's peers (with {@code onlyIfSilent}, only if its heartbeat
   * is still stale in Redis); completes with how many it removed here.
   */
  private static Future<Integer> reap(Vertx vertx, String deadNodeId, boolean onlyIfSilent) {
    return vertx.eventBus().<JsonObject>request(Addresses.ROOM_REAP, new JsonObject().put("node_id", deadNodeId)
            .put("only_if_silent", onlyIfSilent), new DeliveryOptions().setLocalOnly(true))
        .map(reply -> reply.body().getInteger("removed"));
  }

  private static TurnCredentials turnCredentials(SwitchboardConfig config) {
    String secret = config.turn().secret();
    if (secret.isEmpty()) {
      secret = TurnCredentials.randomSecret();
      LOG.warning("turn.secret (SWITCHBOARD_TURN_SECRET) is not set: a random secret was drawn; TURN credentials "
          + "from this node are valid on this node only and not after a restart");
    }
    List<String> secrets = new java.util.ArrayList<>(List.of(secret));
    secrets.addAll(config.turn().previousSecrets());
    return new TurnCredentials(secrets, config.turn().credentialTtl());
  }

  public Future<Void> stop() {
    timers.forEach(vertx::cancelTimer);
    Future<Void> gatewaysDown = gatewayDeployment == null ? Future.succeededFuture()
        : vertx.undeploy(gatewayDeployment);
    return gatewaysDown
        .compose(v -> registryDeployment == null ? Future.succeededFuture() : vertx.undeploy(registryDeployment))
        .compose(v -> turnCredentialsDeployment == null ? Future.succeededFuture()
            : vertx.undeploy(turnCredentialsDeployment))
        .compose(v -> relayDeployment == null ? Future.succeededFuture() : vertx.undeploy(relayDeployment))
        .compose(v -> mediaDeployment == null ? Future.succeededFuture() : vertx.undeploy(mediaDeployment))
        .compose(v -> metricsDeployment == null ? Future.succeededFuture() : vertx.undeploy(metricsDeployment));
  }

  public SwitchboardConfig config() {
    return config;
  }

  public int httpPort() {
    return gateways.get(0).port();
  }

  /** The built-in relay's port, or -1 when it is disabled. */
  public int turnPort() {
    try {
      return relay == null ? -1 : relay.port();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  /** The port of TURN over TLS actually bound, or -1 when it is off. */
  public int turnTlsPort() {
    return relay == null ? -1 : relay.tlsPort();
  }

  /** The metrics port actually bound, or -1 when metrics are disabled. */
  public int metricsPort() {
    return metricsVerticle == null ? -1 : metricsVerticle.port();
  }

  public SwitchboardMetrics metrics() {
    return metrics;
  }
}

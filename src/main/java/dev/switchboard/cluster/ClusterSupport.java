package dev.switchboard.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.LifecycleEvent;
import dev.switchboard.bus.Addresses;
import dev.switchboard.config.SwitchboardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The one place that knows Hazelcast: its configuration from ours, and membership events. */
public final class ClusterSupport {
  private static final Logger LOG = Logger.getLogger(ClusterSupport.class.getName());
  /** How often a master looks for another cluster to merge with after a split. */
  static final int MERGE_DELAY_SECONDS = 3;
  /** The Hazelcast multimap in which Vert.x keeps every node's cluster-wide event-bus consumers. */
  private static final String VERTX_SUBSCRIPTIONS = "__vertx.subs";

  private ClusterSupport() {
  }

  public static HazelcastClusterManager clusterManager(SwitchboardConfig.ClusterConfig cluster) {
    // Hazelcast's own INFO chatter is not an operator's business; warnings still show
    Logger.getLogger("com.hazelcast").setLevel(Level.WARNING);
    Config config = ConfigUtil.loadConfig(); // keeps the maps and multimaps Vert.x needs
    config.setClusterName("switchboard");
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.max.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(cluster.failureTimeoutSeconds()));
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // a split (a member frozen past the failure timeout, then resumed) merges within seconds instead of
    // Hazelcast's 300 s / 120 s; each run is one join attempt to the configured members by the master
    config.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(MERGE_DELAY_SECONDS));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(MERGE_DELAY_SECONDS));
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    if (!cluster.publicHost().isBlank()) {
      network.setPublicAddress(cluster.publicHost() + ":" + cluster.port());
    }
    network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setConnectionTimeoutSeconds(1).setMembers(cluster.members());
    return new HazelcastClusterManager(config);
  }

  public static VertxOptions options(VertxOptions options, SwitchboardConfig.ClusterConfig cluster) {
    String publicHost = cluster.publicHost().isBlank() ? cluster.host() : cluster.publicHost();
    return options.setEventBusOptions(new EventBusOptions().setHost(cluster.host()).setPort(cluster.busPort())
        .setClusterPublicHost(publicHost));
  }

  public static Future<Vertx> start(VertxBuilder builder, SwitchboardConfig.ClusterConfig cluster) {
    return builder.withClusterManager(new CountingClusterManager(clusterManager(cluster), Addresses::family))
        .buildClustered();
  }

  /** The counts of event-bus consumers this node registered, when it is clustered through {@link #start}. */
  public static java.util.Optional<CountingClusterManager> registrations(Vertx vertx) {
    return clusterManager(vertx) instanceof CountingClusterManager counting ? java.util.Optional.of(counting)
        : java.util.Optional.empty();
  }

  /**
   * Entries of Vert.x's subscription multimap (one per cluster-wide consumer of any node) that this member
   * stores: as its partitions' owner, and as backup of another member's. What the cluster's consumers cost
   * this node's heap, whoever registered them.
   */
  public static long[] storedSubscriptions(Vertx vertx) {
    if (!(hazelcast(vertx) instanceof HazelcastClusterManager manager) || !manager.isActive()) {
      return new long[] {0, 0};
    }
    var stats = manager.getHazelcastInstance().getMultiMap(VERTX_SUBSCRIPTIONS).getLocalMultiMapStats();
    return new long[] {stats.getOwnedEntryCount(), stats.getBackupEntryCount()};
  }

  /** This member's id: a clustered node registers its peers in Redis under it, so reaping can find them. */
  public static String nodeId(Vertx vertx) {
    return clusterManager(vertx).getNodeId();
  }

  /** Ids of the members the cluster counts right now (none while Hazelcast cannot tell, e.g. merging). */
  public static java.util.List<String> members(Vertx vertx) {
    try {
      return clusterManager(vertx).getNodes();
    } catch (RuntimeException e) {
      return java.util.List.of();
    }
  }

  public static boolean active(Vertx vertx) {
    ClusterManager manager = clusterManager(vertx);
    return manager != null && manager.isActive();
  }

  /** Runs {@code onLeft} with the id of every member that leaves or dies; logs merges after a split. */
  public static void onNodeLeft(Vertx vertx, Consumer<String> onLeft) {
    if (hazelcast(vertx) instanceof HazelcastClusterManager hazelcast) {
      hazelcast.getHazelcastInstance().getLifecycleService().addLifecycleListener(event -> {
        if (event.getState() == LifecycleEvent.LifecycleState.MERGING
            || event.getState() == LifecycleEvent.LifecycleState.MERGED
            || event.getState() == LifecycleEvent.LifecycleState.MERGE_FAILED) {
          LOG.info("cluster split-brain merge: " + event.getState());
        }
      });
    }
    clusterManager(vertx).nodeListener(new NodeListener() {
      @Override
      public void nodeAdded(String nodeId) {
      }

      @Override
      public void nodeLeft(String nodeId) {
        onLeft.accept(nodeId);
      }
    });
  }

  private static ClusterManager clusterManager(Vertx vertx) {
    return ((VertxInternal) vertx).clusterManager();
  }

  private static ClusterManager hazelcast(Vertx vertx) {
    ClusterManager manager = clusterManager(vertx);
    return manager instanceof CountingClusterManager counting ? counting.hazelcast() : manager;
  }
}

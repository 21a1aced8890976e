package dev.switchboard.support;

import dev.switchboard.cluster.ClusterSupport;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.switchboard.support.Wait.on;

/** Clustered Vert.x instances over loopback Hazelcast with rooms in a real redis-server, for the cluster specs. */
public final class ClusteredNodes {
  private ClusteredNodes() {
  }

  /** A signaling-only node (no TURN relay, no media node: several nodes share one host) of a loopback cluster. */
  public static Map<String, String> env(String redisUrl, int hazelcastPort, List<Integer> members) {
    Map<String, String> env = new HashMap<>();
    env.put("SWITCHBOARD_CLUSTER_ENABLED", "true");
    env.put("SWITCHBOARD_CLUSTER_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_CLUSTER_PORT", String.valueOf(hazelcastPort));
    env.put("SWITCHBOARD_CLUSTER_MEMBERS", String.join(",", members.stream().map(p -> "127.0.0.1:" + p).toList()));
    env.put("SWITCHBOARD_REDIS_URL", redisUrl);
    env.put("SWITCHBOARD_TURN_RELAY_ENABLED", "false");
    env.put("SWITCHBOARD_MEDIA_ENABLED", "false");
    return env;
  }

  /** A clustered Vert.x configured from {@code env}, joined to its cluster (up to a minute on a busy machine). */
  public static Vertx start(Vertx bootstrap, Map<String, String> env) {
    SwitchboardConfig config = on(ConfigLoader.load(bootstrap, ConfigLoader.DEFAULT_FILE, env), 10);
    return on(ClusterSupport.start(Vertx.builder().with(ClusterSupport.options(new VertxOptions(), config.cluster())),
        config.cluster()), 60);
  }
}

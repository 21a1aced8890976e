package dev.switchboard;

import dev.switchboard.auth.TokenCommand;
import dev.switchboard.load.LoadCommand;
import dev.switchboard.config.ConfigException;
import dev.switchboard.config.PortUnavailable;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.cluster.ClusterSupport;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.net.BindException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Boots a node: read the configuration, build Vert.x, deploy, print what listens where. A bad
 * configuration or a port in use is one line on stderr and a non-zero exit.
 */
public final class Main {
  static final int EXIT_CONFIG = 2;
  static final int EXIT_START = 1;

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length > 0 && "token".equals(args[0])) {
      // the token CLI shares the jar and the configuration, nothing else: no node is started
      TokenCommand.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    if (args.length > 0 && "load".equals(args[0])) {
      // the load tester shares the jar only: it starts no node and reads no configuration
      LoadCommand.main(Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    System.setProperty("vertx.disableDnsResolver", "true");
    Path file = ConfigLoader.fileFrom(System.getenv());
    SwitchboardConfig config;
    Vertx bootstrap = Vertx.vertx();
    try {
      config = ConfigLoader.load(bootstrap, file, System.getenv()).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("switchboard: configuration error: " + rootMessage(e));
      System.exit(EXIT_CONFIG);
      return;
    } finally {
      bootstrap.close();
    }

    SwitchboardMetrics metrics = SwitchboardMetrics.create();
    // Vert.x's event-bus meters are looked up and updated per message: 6-28 % more signals per CPU-second
    // without them in the signaling benchmark (BENCHMARKS.md); Switchboard's own meters count signals instead
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(config.metrics().enabled()).setJvmMetricsEnabled(true)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS));
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(metrics.registry()));
    Vertx vertx;
    try {
      vertx = config.cluster().enabled()
          ? ClusterSupport.start(builder.with(ClusterSupport.options(options, config.cluster())), config.cluster())
              .await(60, TimeUnit.SECONDS)
          : builder.with(options).build();
    } catch (Exception e) {
      System.err.println("switchboard: cannot join the cluster: " + rootMessage(e));
      System.exit(EXIT_START);
      return;
    }
    ClusterSupport.registrations(vertx).ifPresent(counting -> {
      Set<String> families = Set.of("peer", "room", "media", "fixed", "other");
      families.forEach(counting::track);
      metrics.clusterBus(families, counting::registrations, () -> ClusterSupport.storedSubscriptions(vertx));
    });
    AtomicReference<Node> running = new AtomicReference<>();
    try {
      running.set(Node.start(vertx, config, metrics).await(60, TimeUnit.SECONDS));
    } catch (Exception e) {
      System.err.println("switchboard: cannot start: " + startFailure(e, config));
      vertx.close();
      System.exit(EXIT_START);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(vertx, running.get(), config), "shutdown"));

    System.out.printf("Switchboard node %s is up%n", config.nodeId());
    System.out.printf("  web app and API  http://%s:%d/  (%d gateway instances)%n",
        displayHost(config.http().host()), running.get().httpPort(), config.http().instances());
    System.out.printf("  signaling socket ws://%s:%d/socket/websocket  (Phoenix Channels V2, vsn=2.0.0)%n",
        displayHost(config.http().host()), running.get().httpPort());
    System.out.printf("  room registry    %s, %s rooms of at most %d peers%n",
        config.cluster().enabled() ? "Redis " + config.cluster().redisUrl() + ", clustered as " + running.get().config().nodeId()
            : "in memory", config.rooms().topology().wireName(), config.rooms().peerCap());
    if (config.media().enabled()) {
      SwitchboardConfig.MediaConfig media = running.get().mediaConfig();
      System.out.printf("  media node       %s:%d udp, announced as %s%n", media.host(), media.port(), media.announcedIp());
    }
    if (config.turn().relayEnabled()) {
      System.out.printf("  TURN relay       %s:%d udp+tcp, relays on %s ports %d-%d%n", config.turn().listenIp(),
          running.get().turnPort(), config.turn().relayIp(), config.turn().minPort(), config.turn().maxPort());
    }
    if (config.metrics().enabled()) {
      System.out.printf("  metrics          http://%s:%d/metrics  (Prometheus)%n", config.metrics().host(),
          running.get().metricsPort());
    }
    System.out.printf("  health           /health (alive), /ready (registry answering)%n");
  }

  private static void shutdown(Vertx vertx, Node node, SwitchboardConfig config) {
    long budget = config.shutdownGrace().toMillis() + 5_000;
    try {
      node.stop().await(budget, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      System.err.println("switchboard: unclean shutdown: " + rootMessage(e));
    }
    try {
      vertx.close().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("switchboard: Vert.x did not close cleanly: " + rootMessage(e));
    }
  }

  private static String startFailure(Throwable e, SwitchboardConfig config) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PortUnavailable) {
        return t.getMessage();
      }
      if (t instanceof BindException) {
        return config.http().host() + ":" + config.http().port() + " is not available (" + t.getMessage()
            + "); set http.port / SWITCHBOARD_HTTP_PORT to a free port";
      }
      if (t instanceof ConfigException) {
        return t.getMessage();
      }
    }
    return rootMessage(e);
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      if (t instanceof ConfigException) {
        break;
      }
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  private static String displayHost(String host) {
    return "0.0.0.0".equals(host) || "::".equals(host) ? "localhost" : host;
  }
}

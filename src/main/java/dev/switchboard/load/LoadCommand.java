package dev.switchboard.load;

import dev.switchboard.config.ConfigException;
import dev.switchboard.load.LoadOptions.UsageError;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar switchboard.jar load SCENARIO [options]}: the load tester for operators (LoadHelp has
 * the manual). Exit status 0 when the scenario ran without an error, 1 when errors occurred, 2 for a bad
 * command line. It starts no node and reads no configuration: everything it needs is on its command line.
 */
public final class LoadCommand {
  static final int EXIT_OK = 0;
  static final int EXIT_ERRORS = 1;
  static final int EXIT_USAGE = 2;

  private LoadCommand() {
  }

  public static void main(String[] args) {
    // names are resolved by the JDK, as for the node (Main)
    System.setProperty("vertx.disableDnsResolver", "true");
    CountDownLatch stop = new CountDownLatch(1);
    onSignals(stop);
    System.exit(run(List.of(args), System.out, System.err, stop));
  }

  /** The whole command, for tests: the exit status; {@code stop} ends the run early (SIGINT/SIGTERM in main). */
  static int run(List<String> args, PrintStream out, PrintStream err, CountDownLatch stop) {
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
      if (options != null && options.serverPid() > 0 && !ServerProbe.exists(options.serverPid())) {
        throw new UsageError("--server-pid " + options.serverPid() + ": no such process on this host");
      }
    } catch (UsageError e) {
      return usage(err, e.getMessage());
    }
    if (options == null) {
      out.print(LoadHelp.TEXT);
      return EXIT_OK;
    }
    Vertx vertx = Vertx.builder().with(new VertxOptions().setEventLoopPoolSize(options.eventLoops())
        .setWorkerPoolSize(2).setInternalBlockingPoolSize(2)).build();
    Target target = null;
    Target spanTarget = null;
    try {
      PeerTokens tokens;
      try {
        tokens = PeerTokens.from(vertx, options);
      } catch (ConfigException e) {
        return usage(err, "--token-secret: " + e.getMessage());
      }
      List<Lane> lanes = Lane.start(vertx, options.eventLoops());
      for (Lane lane : lanes) {
        lane.startHeartbeats(vertx, options.heartbeatSeconds());
      }
      target = new Target(vertx, options);
      LoadRun run = new LoadRun(options, vertx, lanes, target, tokens, new ServerProbe(options.serverPid()), stop, out, err);
      if (options.spanUrl() != null) {
        spanTarget = new Target(vertx, options, options.spanUrl());
        run.spanTo(spanTarget);
      }
      err.println("load: " + options.scenario().wireName() + " against " + target.describe()
          + (spanTarget == null ? "" : " (odd members of every " + options.spanEvery() + ". room on " + spanTarget.describe() + ")")
          + (options.sourceIps().isEmpty() ? "" : " from " + options.sourceIps().size() + " source addresses")
          + (options.durationSeconds() == 0 ? ", until interrupted" : ", " + options.durationSeconds() + " s"));
      Map<String, Object> report = switch (options.scenario()) {
        case IDLE -> IdleScenario.run(run);
        case RELAY -> RelayScenario.run(run);
        case CHURN -> ChurnScenario.run(run);
        case RTT -> RttScenario.run(run);
      };
      SummaryPrinter.print(report, options.json(), out);
      return run.stats.errorCount() == 0 ? EXIT_OK : EXIT_ERRORS;
    } finally {
      if (target != null) {
        target.close();
      }
      if (spanTarget != null) {
        spanTarget.close();
      }
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // exiting anyway
      }
    }
  }

  private static int usage(PrintStream err, String message) {
    err.println("load: " + message);
    err.println("  (scripts/load.sh --help, or java -jar switchboard.jar load --help, lists every option)");
    return EXIT_USAGE;
  }

  /**
   * SIGINT and SIGTERM end the run the orderly way (sockets closed, summary printed, exit status kept);
   * a second one ends the process at once.
   */
  @SuppressWarnings("restriction")
  private static void onSignals(CountDownLatch stop) {
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
          if (stop.getCount() == 0) {
            Runtime.getRuntime().halt(128 + signal.getNumber());
          }
          stop.countDown();
        });
      } catch (IllegalArgumentException e) {
        // the signal is not available here: the JVM's default handling stays
      }
    }
  }
}

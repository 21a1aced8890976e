package dev.switchboard.soak;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Soak driver for scripts/soak.sh (not a test): idle joined sockets, relay pairs and churn against nodes
 * started by the script, checked throughout (every push answered; every signal answered ok received by its
 * target exactly once and in order, nothing received by anyone else), with the nodes' resources sampled
 * every interval and a node (and, clustered, Redis) restarted mid-run through {@code <ctl> --ctl ...}.
 * Exit status 0 on PASS, 1 on FAIL.
 *
 * <pre>SoakRun --minutes 30 --ports 4701[,4702] --metrics-ports 9701[,9702] --pid-dir target/soak
 *   [--ctl scripts/soak.sh] [--idle 2000] [--pairs 20] [--rate 50] [--churn 20] [--sample-seconds 30]
 *   [--restart-node-at 0.4] [--restart-redis-at 0.7 (clustered only)] [--grace-seconds 10] [--redis-port P]</pre>
 */
public final class SoakRun {
  /** Vert.x's client logs a warning per socket the node closes (restarts): noise here. */
  private static final java.util.logging.Logger VERTX_HTTP = java.util.logging.Logger.getLogger("io.vertx.core.http.impl");
  private final Map<String, String> options;
  private final Env env;
  private final int[] ports;
  private final NodeSampler sampler;
  private final List<Client> idle = new ArrayList<>();
  private final List<RelayPair> pairs = new ArrayList<>();
  private Churn churn;
  private double workloadsUpAt = Double.MAX_VALUE;
  private final long settleNanos;

  private SoakRun(Map<String, String> options) {
    this.options = options;
    env = new Env(TimeUnit.MILLISECONDS.toNanos((long) (number("grace-seconds", 10) * 1000)));
    ports = ints(options.get("ports"));
    int[] metricsPorts = ints(options.get("metrics-ports"));
    Path pidDir = Path.of(options.getOrDefault("pid-dir", "target/soak"));
    List<NodeSampler.Node> nodes = new ArrayList<>();
    for (int i = 0; i < ports.length; i++) {
      nodes.add(new NodeSampler.Node("node-" + (i + 1), pidDir.resolve("node-" + (i + 1) + ".pid"), ports[i], metricsPorts[i]));
    }
    sampler = new NodeSampler(nodes);
    settleNanos = TimeUnit.SECONDS.toNanos((long) Math.max(30, 2 * number("sample-seconds", 30)));
  }

  public static void main(String[] args) throws Exception {
    VERTX_HTTP.setLevel(java.util.logging.Level.SEVERE);
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    SoakRun run = new SoakRun(options);
    int status;
    try {
      status = run.run();
    } finally {
      run.env.close();
    }
    System.exit(status);
  }

  private int run() throws Exception {
    double minutes = number("minutes", 30);
    double sampleSeconds = number("sample-seconds", 30);
    boolean clustered = ports.length > 1;
    int idleCount = (int) number("idle", 2000);
    int pairCount = (int) number("pairs", 20);
    double rate = number("rate", 50);
    double churnRate = number("churn", 20);
    env.log("soak: %s, %d node(s) on ports %s, %.1f min; idle sockets %d, relay pairs %d x %.0f/s each way, churn %.0f"
        + " cycles/s; samples every %.0f s", clustered ? "cluster" : "single node", ports.length, Arrays.toString(ports),
        minutes, idleCount, pairCount, rate, churnRate, sampleSeconds);
    printSamples(sampler.sample(env.seconds(), false), "before load");

    startIdle(idleCount);
    for (int i = 0; i < pairCount; i++) {
      RelayPair pair = new RelayPair(env, i, ports[i % ports.length], ports[(i + i / 2) % ports.length], rate);
      pairs.add(pair);
      pair.start();
    }
    waitUntil(() -> pairs.stream().allMatch(p -> p.a.ready() != null && p.b.ready() != null), 30);
    churn = new Churn(env, ports, churnRate, 400, (long) number("churn-leave-delay-ms", 0));
    churn.start();
    workloadsUpAt = env.seconds();
    env.log("load up: %d/%d idle sockets joined, %d relay pairs, churn started", countReady(idle), idleCount, pairs.size());

    double end = minutes * 60;
    ExecutorService control = Executors.newSingleThreadExecutor();
    scheduleRestart(control, number("restart-node-at", 0.4) * end, "restart-node", String.valueOf(ports.length));
    if (clustered) {
      scheduleRestart(control, number("restart-redis-at", 0.7) * end, "restart-redis", null);
    }
    double next = env.seconds() + sampleSeconds;
    while (env.seconds() < end) {
      Thread.sleep((long) (Math.max(0, Math.min(next, end) - env.seconds()) * 1000));
      if (env.seconds() >= next) {
        next += sampleSeconds;
        double t = env.seconds();
        printSamples(sampler.sample(t, t >= workloadsUpAt + settleNanos / 1e9 && !env.isDisturbed()), null);
      }
    }
    control.shutdownNow();
    control.awaitTermination(60, TimeUnit.SECONDS);
    return finish();
  }

  private void startIdle(int count) throws InterruptedException {
    for (int i = 0; i < count; i++) {
      Client client = new Client(env, "idle-" + (i / 5), ports[i % ports.length], c -> { }, c -> { });
      idle.add(client);
      client.start();
      if (i % 100 == 99) {
        Thread.sleep(100); // ~1,000 connects per second
      }
    }
    waitUntil(() -> countReady(idle) == count, 60);
  }

  /** Runs {@code <ctl> --ctl <action> [arg]} at {@code atSeconds} on the control thread. */
  private void scheduleRestart(ExecutorService control, double atSeconds, String action, String arg) {
    if (atSeconds <= 0) {
      return;
    }
    control.submit(() -> {
      try {
        Thread.sleep((long) Math.max(0, (atSeconds - env.seconds()) * 1000));
        env.beginDisturbance();
        env.log("%s %s: begin", action, arg == null ? "" : arg);
        List<String> command = new ArrayList<>(List.of("bash", options.getOrDefault("ctl", "scripts/soak.sh"), "--ctl", action));
        if (arg != null) {
          command.add(arg);
        }
        double began = env.seconds();
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        env.log("%s %s: done in %.1f s (exit %d)", action, arg == null ? "" : arg, env.seconds() - began, exit);
        if (exit != 0) {
          env.tally.inc("control.failed." + action);
        }
        env.tally.inc("control." + action);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      } catch (Exception e) {
        env.log("%s failed: %s", action, e);
        env.tally.inc("control.failed." + action);
      }
      env.endDisturbance(settleNanos);
      return null;
    });
  }

  private void printSamples(List<NodeSampler.Sample> samples, String note) {
    Tally t = env.tally;
    for (int i = 0; i < samples.size(); i++) {
      NodeSampler.Sample s = samples.get(i);
      NodeSampler.Node node = sampler.nodes().get(i);
      if (s == null) {
        env.log("%s down", node.name());
        continue;
      }
      env.log("%s pid %d  rss %7.1f MB  heap-after-gc %6.1f MB  threads %3d  fds %5d  sockets %5d (driver %5d)  joined %5d%s",
          node.name(), s.pid(), s.rssMb(), s.heapMb(), s.threads(), s.fds(), s.sockets(), env.openOn(node.port()), s.joined(),
          note != null ? "  [" + note + "]" : s.settled() ? "" : "  [not settled]");
    }
    if (note == null) {
      env.log("signals sent %d ok %d err %d received %d | lost %d dup %d ooo %d misdel %d | churn ok %d failed %d"
          + " | reconnects %d | streams %d", t.get("signal.sent"), t.get("signal.ok"), sum("signal.error."),
          t.get("signal.received"), t.get("check.lost"), t.get("check.duplicate"), t.get("check.out_of_order"),
          t.get("check.misdelivered"), t.get("churn.cycles_ok"), sum("churn.failed."), t.get("client.reconnects"),
          env.ledger.tracked());
    }
  }

  private int finish() throws Exception {
    env.log("end of run: quiescing (churn stops, relay senders stop, waiting for replies and deliveries)");
    churn.stop();
    pairs.forEach(RelayPair::quiesce);
    Thread.sleep(Math.max(env.ledger.graceMillis(), Conn.REPLY_TIMEOUT_NANOS / 1_000_000) + 2_000);
    env.ledger.sweep(System.nanoTime(), true);
    List<Client> clients = new ArrayList<>(idle);
    pairs.forEach(p -> clients.addAll(List.of(p.a, p.b)));
    waitUntil(() -> countReady(clients) == clients.size(), 30);
    Thread.sleep(3_000);
    EndChecks checks = new EndChecks(env, sampler);
    List<String> failures = new ArrayList<>();
    checks.roomViews(clients, failures);
    checks.gauges(clients, failures);
    if (options.containsKey("redis-port")) {
      checks.redis(Integer.parseInt(options.get("redis-port")), failures);
    }
    double t = env.seconds();
    printSamples(sampler.sample(t, !env.isDisturbed()), env.isDisturbed() ? "final, not settled" : "final");
    checks.summary(failures);
    failures.addAll(sampler.judge());
    System.out.println(failures.isEmpty() ? "RESULT: PASS" : "RESULT: FAIL (" + String.join("; ", failures) + ")");
    clients.forEach(Client::stop);
    Thread.sleep(500);
    return failures.isEmpty() ? 0 : 1;
  }

  private long sum(String prefix) {
    return env.tally.withPrefix(prefix).values().stream().mapToLong(Long::longValue).sum();
  }

  private static int countReady(List<Client> clients) {
    return (int) clients.stream().filter(c -> c.ready() != null).count();
  }

  private static void waitUntil(java.util.function.BooleanSupplier done, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  private double number(String name, double fallback) {
    String value = options.get(name);
    return value == null ? fallback : Double.parseDouble(value);
  }

  private static int[] ints(String list) {
    return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
  }
}

package dev.switchboard.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Resources of each node process, read from outside: RSS and threads from {@code /proc/<pid>/status}, open
 * fds from {@code /proc/<pid>/fd}, live heap as {@code jcmd GC.heap_info} reports it right after
 * {@code jcmd GC.run}, and the node's own socket and peer gauges from {@code /metrics}. The pid is read
 * from the node's pid file at every sample, so a restarted node is followed.
 */
final class NodeSampler {
  /** Tolerances for the growth from the first to the last third of the settled samples. */
  static final double HEAP_GROWTH_FRACTION = 0.10;
  static final double HEAP_GROWTH_MIN_MB = 10;
  static final double THREADS_GROWTH = 5;
  static final double FDS_GROWTH_FRACTION = 0.05;
  static final double FDS_GROWTH_MIN = 30;

  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  record Node(String name, Path pidFile, int port, int metricsPort) {
  }

  record Sample(double t, Node node, long pid, double rssMb, double heapMb, int threads, int fds, long sockets,
                long joined, boolean settled) {
  }

  private final List<Node> nodes;
  private final List<Sample> samples = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  NodeSampler(List<Node> nodes) {
    this.nodes = nodes;
  }

  List<Node> nodes() {
    return nodes;
  }

  /** One sample of every node; null entries for nodes that are down. */
  List<Sample> sample(double t, boolean settled) {
    List<Sample> taken = new ArrayList<>();
    for (Node node : nodes) {
      Sample s = sample(node, t, settled);
      taken.add(s);
      if (s != null) {
        synchronized (samples) {
          samples.add(s);
        }
      }
    }
    return taken;
  }

  private Sample sample(Node node, double t, boolean settled) {
    try {
      long pid = Long.parseLong(Files.readString(node.pidFile).trim());
      if (!Files.exists(Path.of("/proc/" + pid + "/status"))) {
        return null;
      }
      run("jcmd", String.valueOf(pid), "GC.run");
      long heapKb = 0;
      for (String line : run("jcmd", String.valueOf(pid), "GC.heap_info").split("\n")) {
        Matcher m = USED.matcher(line);
        if (!line.trim().startsWith("Metaspace") && !line.trim().startsWith("class space") && m.find()) {
          heapKb += Long.parseLong(m.group(1));
        }
      }
      long rssKb = 0;
      int threads = 0;
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        } else if (line.startsWith("Threads:")) {
          threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
        }
      }
      int fds;
      try (Stream<Path> list = Files.list(Path.of("/proc/" + pid + "/fd"))) {
        fds = (int) list.count();
      }
      String metrics = metrics(node);
      return new Sample(t, node, pid, rssKb / 1024.0, heapKb / 1024.0, threads, fds, gauge(metrics, "switchboard_sockets_connected"),
          gauge(metrics, "switchboard_peers_joined"), settled);
    } catch (IOException | RuntimeException e) {
      return null; // down, restarting, or between pid file and process
    }
  }

  /** The node's Prometheus text, or "" when it does not answer. */
  String metrics(Node node) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.metricsPort + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build();
      return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(6, TimeUnit.SECONDS).body();
    } catch (ExecutionException | TimeoutException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** A gauge's value, -1 when absent. */
  static long gauge(String metrics, String name) {
    for (String line : metrics.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  private static String run(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String out = new String(process.getInputStream().readAllBytes());
      process.waitFor(60, TimeUnit.SECONDS);
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /**
   * Prints, per node, the first- and last-third averages of the settled samples and judges the growth.
   *
   * @return the tolerances exceeded (empty when flat)
   */
  List<String> judge() {
    List<String> exceeded = new ArrayList<>();
    System.out.printf("resources (averages of the first vs the last third of the settled samples; tolerances: heap after GC"
        + " +max(%.0f %%, %.0f MB), threads +%.0f, fds +max(%.0f %%, %.0f); RSS not judged):%n", HEAP_GROWTH_FRACTION * 100,
        HEAP_GROWTH_MIN_MB, THREADS_GROWTH, FDS_GROWTH_FRACTION * 100, FDS_GROWTH_MIN);
    for (Node node : nodes) {
      List<Sample> settled;
      synchronized (samples) {
        settled = samples.stream().filter(s -> s.node == node && s.settled).toList();
      }
      long pids = settled.stream().mapToLong(Sample::pid).distinct().count();
      if (settled.size() < 3) {
        System.out.printf("  %s: %d settled samples, too few to judge%n", node.name, settled.size());
        continue;
      }
      int k = settled.size() / 3;
      List<Sample> first = settled.subList(0, k);
      List<Sample> last = settled.subList(settled.size() - k, settled.size());
      System.out.printf("  %s: %d settled samples (%d per third, %d process%s)%n", node.name, settled.size(), k, pids,
          pids == 1 ? "" : "es: the node was restarted in between");
      line(node, "RSS MB", first, last, Sample::rssMb, Double.MAX_VALUE, exceeded);
      double heap0 = avg(first, Sample::heapMb);
      line(node, "heap after GC MB", first, last, Sample::heapMb, Math.max(heap0 * HEAP_GROWTH_FRACTION, HEAP_GROWTH_MIN_MB), exceeded);
      line(node, "threads", first, last, s -> s.threads, THREADS_GROWTH, exceeded);
      double fds0 = avg(first, s -> s.fds);
      line(node, "fds", first, last, s -> s.fds, Math.max(fds0 * FDS_GROWTH_FRACTION, FDS_GROWTH_MIN), exceeded);
    }
    return exceeded;
  }

  private static void line(Node node, String what, List<Sample> first, List<Sample> last, ToDoubleFunction<Sample> f,
                           double tolerance, List<String> exceeded) {
    double a = avg(first, f);
    double b = avg(last, f);
    boolean over = b - a > tolerance;
    System.out.printf("    %-17s %9.1f -> %9.1f  growth %+8.1f (%+.1f %%)%s%n", what, a, b, b - a, a == 0 ? 0 : (b - a) / a * 100,
        tolerance == Double.MAX_VALUE ? "" : String.format("  tolerance %.1f: %s", tolerance, over ? "EXCEEDED" : "ok"));
    if (over) {
      exceeded.add(String.format("%s %s grew by %.1f (tolerance %.1f)", node.name, what, b - a, tolerance));
    }
  }

  private static double avg(List<Sample> samples, ToDoubleFunction<Sample> f) {
    return samples.stream().mapToDouble(f).average().orElse(0);
  }
}

package dev.switchboard.load;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The live line on stderr, once a second: sockets open and joined, errors, frames received per second,
 * the scenario's headline latency over the last second, the scenario's own figures and, with
 * --server-pid, the server's CPU and RSS. On a terminal it rewrites itself; otherwise one line a second.
 */
final class Progress implements AutoCloseable {
  private final LoadRun run;
  private final long target;
  private final Supplier<String> extra;
  private final PrintStream err;
  private final boolean terminal;
  private final Thread thread;
  private volatile boolean closed;
  private long lastFrames;
  private long lastNanos;

  /**
   * @param target the sockets the scenario means to open (shown as open/target)
   * @param extra  the scenario's own figures, or an empty string
   */
  Progress(LoadRun run, long target, Supplier<String> extra) {
    this.run = run;
    this.target = target;
    this.extra = extra;
    this.err = run.err;
    this.terminal = System.console() != null;
    this.thread = new Thread(this::loop, "load-progress");
    thread.setDaemon(true);
    if (run.options.progress()) {
      lastNanos = System.nanoTime();
      thread.start();
    }
  }

  private void loop() {
    while (!closed) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      if (!closed) {
        err.print(line() + (terminal ? "\r" : "\n"));
        err.flush();
      }
    }
  }

  String line() {
    LoadStats stats = run.stats;
    long now = System.nanoTime();
    long frames = stats.framesReceived.sum();
    double perSecond = (frames - lastFrames) / Math.max(1e-3, (now - lastNanos) / 1e9);
    lastFrames = frames;
    lastNanos = now;
    LatencyHistogram.Snapshot last = stats.progressLatency.drain();
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
        "[%5.0fs] open %d/%d joined %d errors %d msg/s %.0f p50 %s p99 %s ms", run.elapsedSeconds(), stats.open.sum(), target,
        stats.joined.sum(), stats.errorCount(), perSecond, ms(last.millis(0.5)), ms(last.millis(0.99))));
    String more = extra.get();
    if (!more.isEmpty()) {
      line.append(" | ").append(more);
    }
    if (run.probe.present()) {
      line.append(String.format(Locale.ROOT, " | server cpu %.1f s rss %.0f MB", run.probe.cpuSecondsSinceStart(),
          run.probe.rssKb() / 1024.0));
    }
    return line.toString();
  }

  private static String ms(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    if (terminal && run.options.progress()) {
      err.println();
    }
  }
}

package dev.switchboard.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.io.Reader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Every child process a test starts. Its stdout and stderr are drained on background threads into bounded
 * buffers (the last {@value #KEEP_CHARS} characters of each), so a chatty child never blocks on a full pipe;
 * every wait has a deadline, and a child that misses one is killed together with all its descendants and the
 * test fails with what the child printed. Output that the builder redirects to a file is read back from there.
 *
 * <p>Signals go through {@link ProcessHandle}, which leaves the pipes open ({@link Process#destroy()} closes
 * them), so whatever a child prints while it shuts down is still captured.
 *
 * <p>No JUnit types here: the benchmarks use this class on a classpath without JUnit. A missed deadline is
 * an {@link AssertionError}, which JUnit reports as a failure.
 */
public final class ExternalProcess implements AutoCloseable {
  /** How much of each stream is kept: the tail, about 1 MiB. */
  public static final int KEEP_CHARS = 1 << 20;
  private static final Duration DRAIN_AFTER_EXIT = Duration.ofSeconds(5);
  private static final Duration GRACE = Duration.ofSeconds(10);
  private static final long POLL_MILLIS = 200;

  /** How a child that ran to completion ended. */
  public record Result(int exit, String stdout, String stderr) {
    /** stdout, then stderr when there is any (one stream when the builder merged them). */
    public String output() {
      return stderr.isEmpty() ? stdout : stdout + (stdout.isEmpty() || stdout.endsWith("\n") ? "" : "\n") + stderr;
    }
  }

  private final String name;
  private final Process process;
  private final Output stdout;
  private final Output stderr;
  private final List<Thread> drains = new ArrayList<>();
  /** The latest snapshot of the child's descendants, so they can be found after the child itself is gone. */
  private volatile List<ProcessHandle> tree = List.of();

  private ExternalProcess(ProcessBuilder builder, Process process) {
    this.name = String.join(" ", builder.command());
    this.process = process;
    this.stdout = new Output(builder.redirectOutput().file());
    this.stderr = new Output(builder.redirectErrorStream() ? null : builder.redirectError().file());
    drain(process.getInputStream(), stdout, "stdout");
    drain(process.getErrorStream(), stderr, "stderr");
  }

  /** Starts the child; its output is drained from now on. Close it (or await it) to end it. */
  public static ExternalProcess start(ProcessBuilder builder) throws IOException {
    return new ExternalProcess(builder, builder.start());
  }

  /** Runs the child to completion within the timeout; fails (and kills the whole tree) when it does not finish. */
  public static Result run(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
    try (ExternalProcess child = start(builder)) {
      return child.await(timeout);
    }
  }

  public static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
    return run(new ProcessBuilder(command).redirectErrorStream(true), timeout);
  }

  private void drain(InputStream stream, Output into, String which) {
    Thread thread = new Thread(() -> {
      char[] buffer = new char[8192];
      try (Reader reader = new InputStreamReader(stream, StandardCharsets.UTF_8)) {
        for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
          into.append(buffer, n);
        }
      } catch (IOException closed) {
        // the pipe was closed under us: keep what was read
      }
    }, "child-" + process.pid() + "-" + which);
    thread.setDaemon(true); // a grandchild holding the pipe open must not keep the test JVM alive
    thread.start();
    drains.add(thread);
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** What the child wrote to stdout so far (all of it when stderr was merged into it). */
  public String stdout() {
    return stdout.text();
  }

  public String stderr() {
    return stderr.text();
  }

  public String output() {
    return new Result(0, stdout(), stderr()).output();
  }

  /**
   * Waits for the child to exit and for its output to be drained. Past the timeout (or when the waiting
   * thread is interrupted, e.g. by a JUnit timeout) the child and its descendants are killed and this fails
   * with the captured output.
   */
  public Result await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (!process.waitFor(Math.min(POLL_MILLIS, remainingMillis(deadline)), TimeUnit.MILLISECONDS)) {
        snapshotTree();
        if (remainingMillis(deadline) == 0) {
          kill();
          throw new AssertionError(name + " did not finish within " + describe(timeout)
              + "; killed with its child processes. Output:\n" + output());
        }
      }
    } catch (InterruptedException e) {
      kill();
      throw e;
    }
    killLeftovers();
    joinDrains(DRAIN_AFTER_EXIT);
    return new Result(process.exitValue(), stdout(), stderr());
  }

  /**
   * Waits until the child prints a whole line on stdout (which includes stderr when the builder merged them)
   * that matches, and returns the first such line. Fails with the output when the child exits first; past
   * the timeout it also kills the child and its descendants.
   */
  public String awaitLine(Predicate<String> match, String what, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean exited = !process.isAlive();
      if (exited) {
        joinDrains(DRAIN_AFTER_EXIT);
      }
      String text = stdout();
      String complete = exited ? text : text.substring(0, text.lastIndexOf('\n') + 1); // no half-written line
      String line = complete.lines().filter(match).findFirst().orElse(null);
      if (line != null) {
        return line;
      }
      if (exited) {
        throw new AssertionError(name + " exited with " + process.exitValue() + " before printing " + what
            + ". Output:\n" + output());
      }
      if (remainingMillis(deadline) == 0) {
        kill();
        throw new AssertionError(name + " did not print " + what + " within " + describe(timeout)
            + "; killed with its child processes. Output:\n" + output());
      }
      snapshotTree();
      Thread.sleep(Math.min(50, remainingMillis(deadline) + 1));
    }
  }

  /**
   * Waits until the child accepts TCP connections on 127.0.0.1:port. Fails with its output when it exits
   * first; past the timeout it also kills the child and its descendants.
   */
  public void awaitListening(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (remainingMillis(deadline) > 0) {
      if (!process.isAlive()) {
        joinDrains(DRAIN_AFTER_EXIT);
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before listening on "
            + port + ". Output:\n" + output());
      }
      try (Socket probe = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    kill();
    throw new IllegalStateException(name + " not listening on " + port + " within " + describe(timeout)
        + "; killed. Output:\n" + output());
  }

  /** SIGTERM to the child alone, pipes left open: what it prints while it shuts down is still captured. */
  public void terminate() {
    snapshotTree();
    process.toHandle().destroy();
  }

  /** SIGKILL to the child and every descendant, then a bounded wait for them to be gone. */
  public void kill() throws InterruptedException {
    snapshotTree();
    List<ProcessHandle> victims = new ArrayList<>(tree);
    process.toHandle().destroyForcibly(); // first, so it forks no more
    for (ProcessHandle handle : List.copyOf(victims)) {
      handle.descendants().forEach(victims::add); // forked since the snapshot
    }
    victims.forEach(ProcessHandle::destroyForcibly);
    process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
    joinDrains(Duration.ofSeconds(1));
  }

  /** SIGTERM, up to 10 s to exit, then SIGKILL to the whole tree; descendants left behind are killed too. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      terminate();
      if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
      }
    }
    killLeftovers();
    joinDrains(Duration.ofSeconds(1));
  }

  private void snapshotTree() {
    if (process.isAlive()) {
      List<ProcessHandle> now = process.descendants().toList();
      if (!now.isEmpty() || tree.isEmpty()) {
        tree = now;
      }
    }
  }

  /** Descendants seen while the child ran and still alive after it exited (orphans, e.g. a browser). */
  private void killLeftovers() {
    for (ProcessHandle handle : tree) {
      if (handle.isAlive()) {
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
      }
    }
  }

  private void joinDrains(Duration wait) throws InterruptedException {
    long deadline = System.nanoTime() + wait.toNanos();
    for (Thread drain : drains) {
      drain.join(Math.max(1, remainingMillis(deadline)));
    }
  }

  private static long remainingMillis(long deadline) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  private static String describe(Duration timeout) {
    return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
  }

  /** One stream's tail: drained into memory, or read back from the file the builder redirected it to. */
  private static final class Output {
    private final Path file;
    private final StringBuilder text = new StringBuilder();
    private long dropped;

    Output(java.io.File file) {
      this.file = file == null ? null : file.toPath();
    }

    synchronized void append(char[] chars, int count) {
      text.append(chars, 0, count);
      if (text.length() > 2 * KEEP_CHARS) {
        int cut = text.length() - KEEP_CHARS;
        text.delete(0, cut);
        dropped += cut;
      }
    }

    String text() {
      return file == null ? memory() : fileTail();
    }

    private synchronized String memory() {
      int cut = Math.max(0, text.length() - KEEP_CHARS);
      long before = dropped + cut;
      return (before == 0 ? "" : "[" + before + " earlier characters dropped]\n") + text.substring(cut);
    }

    private String fileTail() {
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
        long from = Math.max(0, raf.length() - KEEP_CHARS);
        byte[] bytes = new byte[(int) (raf.length() - from)];
        raf.seek(from);
        raf.readFully(bytes);
        return (from == 0 ? "" : "[" + from + " earlier bytes dropped]\n") + new String(bytes, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(cannot read " + file + ": " + e + ")";
      }
    }
  }
}

package dev.switchboard.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a server process on this host, read from /proc (Linux). A probe without
 * a pid, or whose process went away, reads as absent rather than failing the run.
 */
final class ServerProbe {
  /** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100.0;

  private final long pid;
  private final long startTicks;
  private final long startRssKb;

  ServerProbe(long pid) {
    this.pid = pid;
    this.startTicks = pid > 0 ? cpuTicks() : -1;
    this.startRssKb = pid > 0 ? rssKb() : -1;
  }

  boolean present() {
    return pid > 0;
  }

  long pid() {
    return pid;
  }

  /** CPU seconds (user + system) the server used since this probe was made, or -1. */
  double cpuSecondsSinceStart() {
    long now = cpuTicks();
    return now < 0 || startTicks < 0 ? -1 : (now - startTicks) / TICKS_PER_SECOND;
  }

  long startRssKb() {
    return startRssKb;
  }

  /** VmRSS in KiB, or -1 when there is no such process. */
  long rssKb() {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  /** utime + stime in clock ticks, or -1. */
  private long cpuTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // the command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * The server's live heap in KiB: a full GC ({@code jcmd PID GC.run}), then the "used" of every heap
   * generation in {@code jcmd PID GC.heap_info} (G1 prints one line, Serial and Parallel two). -1 when jcmd
   * fails (not on PATH, another user's JVM). Blocking: call from the main thread only.
   */
  long liveHeapKb() {
    if (pid <= 0 || jcmd("GC.run") == null) {
      return -1;
    }
    String info = jcmd("GC.heap_info");
    if (info == null) {
      return -1;
    }
    long used = 0;
    boolean found = false;
    java.util.regex.Pattern usedK = java.util.regex.Pattern.compile("used (\\d+)K");
    for (String line : info.split("\n")) {
      String trimmed = line.trim();
      java.util.regex.Matcher m = usedK.matcher(line);
      if (!trimmed.startsWith("Metaspace") && !trimmed.startsWith("class space") && m.find()) {
        used += Long.parseLong(m.group(1));
        found = true;
      }
    }
    return found ? used : -1;
  }

  private String jcmd(String command) {
    try {
      Process process = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        return null;
      }
      return new String(output, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Whether /proc/PID exists now (checked at start, so a typo in --server-pid is an argument error). */
  static boolean exists(long pid) {
    return Files.exists(Path.of("/proc/" + pid + "/stat"));
  }
}

package dev.switchboard.support;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Freezes and resumes a child process as a VM stall or a long GC pause would (SIGSTOP / SIGCONT). */
public final class UnixSignals {
  private UnixSignals() {
  }

  public static void stop(long pid) {
    send("-STOP", pid);
  }

  public static void resume(long pid) {
    send("-CONT", pid);
  }

  private static void send(String signal, long pid) {
    try {
      Process kill = new ProcessBuilder("kill", signal, String.valueOf(pid)).inheritIO().start();
      if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

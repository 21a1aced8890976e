package dev.switchboard.support;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real server binary started by a test: ready once it accepts TCP on its port, stopped with SIGTERM. */
final class ExternalProcess {
  private ExternalProcess() {
  }

  /** Waits until the process accepts TCP connections on the port; fails with its log when it exits or stalls. */
  static void awaitListening(Process process, int port, Path log, long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("process exited: " + Files.readString(log));
      }
      try (Socket probe = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    stop(process);
    throw new IllegalStateException("not listening on " + port + ": " + Files.readString(log));
  }

  static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}

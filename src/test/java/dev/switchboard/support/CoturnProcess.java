package dev.switchboard.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A real coturn (Debian's turnserver) with a TURN REST API secret on loopback, as an independent peer. */
public final class CoturnProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private CoturnProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  public static CoturnProcess start(String secret) throws IOException, InterruptedException {
    Path home = Files.createDirectories(Path.of("target", "coturn", String.valueOf(System.nanoTime())));
    int port = TestNode.freePort();
    Path log = home.resolve("turnserver.log");
    Process process = new ProcessBuilder(List.of("turnserver", "-n", "--listening-ip=127.0.0.1",
        "--listening-port=" + port, "--relay-ip=127.0.0.1", "--min-port=49400", "--max-port=49499",
        "--realm=switchboard", "--no-cli", "--no-tls", "--no-dtls", "--no-rfc5780", "--log-file=stdout",
        "--simple-log", "--pidfile=" + home.resolve("pid"), "--userdb=" + home.resolve("turndb"),
        "--use-auth-secret", "--static-auth-secret=" + secret))
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    CoturnProcess coturn = new CoturnProcess(process, port, log);
    ExternalProcess.awaitListening(process, port, log, 10_000);
    Thread.sleep(200); // the UDP listener comes up beside the TCP one
    return coturn;
  }

  public int port() {
    return port;
  }

  public String uris() {
    return "stun:127.0.0.1:" + port + ",turn:127.0.0.1:" + port + "?transport=udp,turn:127.0.0.1:" + port
        + "?transport=tcp";
  }

  @Override
  public void close() throws InterruptedException {
    ExternalProcess.stop(process);
  }
}

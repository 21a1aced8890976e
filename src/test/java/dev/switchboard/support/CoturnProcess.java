package dev.switchboard.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real coturn (Debian's turnserver) with a TURN REST API secret on loopback, as an independent peer. */
public final class CoturnProcess implements AutoCloseable {
  private final ExternalProcess process;
  private final int port;

  private CoturnProcess(ExternalProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  public static CoturnProcess start(String secret) throws IOException, InterruptedException {
    Path home = Files.createDirectories(Path.of("target", "coturn", String.valueOf(System.nanoTime())));
    int port = TestNode.freePort();
    Path log = home.resolve("turnserver.log");
    ProcessBuilder builder = new ProcessBuilder(List.of("turnserver", "-n", "--listening-ip=127.0.0.1",
        "--listening-port=" + port, "--relay-ip=127.0.0.1", "--min-port=49400", "--max-port=49499",
        "--realm=switchboard", "--no-cli", "--no-tls", "--no-dtls", "--no-rfc5780", "--log-file=stdout",
        "--simple-log", "--pidfile=" + home.resolve("pid"), "--userdb=" + home.resolve("turndb"),
        "--use-auth-secret", "--static-auth-secret=" + secret))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    CoturnProcess coturn = new CoturnProcess(ExternalProcess.start(builder), port);
    coturn.process.awaitListening(port, Duration.ofSeconds(10));
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
    process.close();
  }
}

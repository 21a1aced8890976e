package dev.switchboard.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The repository's Caddyfile run by the real caddy binary on unprivileged loopback ports. */
public final class CaddyProcess implements AutoCloseable {
  private final ExternalProcess process;
  private final int httpsPort;

  private CaddyProcess(ExternalProcess process, int httpsPort) {
    this.process = process;
    this.httpsPort = httpsPort;
  }

  public static CaddyProcess start(String upstreams) throws IOException, InterruptedException {
    Path home = Files.createDirectories(Path.of("target", "caddy", String.valueOf(System.nanoTime())));
    int https = TestNode.freePort();
    Path log = home.resolve("caddy.log");
    ProcessBuilder builder = new ProcessBuilder(List.of("caddy", "run", "--adapter", "caddyfile", "--config", "Caddyfile"))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("CADDY_HTTP_PORT", String.valueOf(TestNode.freePort()));
    builder.environment().put("CADDY_HTTPS_PORT", String.valueOf(https));
    builder.environment().put("CADDY_ADMIN", "127.0.0.1:" + TestNode.freePort());
    builder.environment().put("CADDY_ACCESS_LOG", home.resolve("access.log").toAbsolutePath().toString());
    builder.environment().put("SWITCHBOARD_UPSTREAMS", upstreams);
    builder.environment().put("SWITCHBOARD_DOMAIN", "localhost");
    builder.environment().put("XDG_DATA_HOME", home.resolve("data").toAbsolutePath().toString());
    builder.environment().put("XDG_CONFIG_HOME", home.resolve("config").toAbsolutePath().toString());
    CaddyProcess caddy = new CaddyProcess(ExternalProcess.start(builder), https);
    caddy.process.awaitListening(https, Duration.ofSeconds(20));
    return caddy;
  }

  public int httpsPort() {
    return httpsPort;
  }

  /** What caddy logged so far (its last MiB; the whole log is in target/caddy/). */
  public String log() {
    return process.output();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}

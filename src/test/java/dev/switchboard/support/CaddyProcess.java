package dev.switchboard.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The repository's Caddyfile run by the real caddy binary on unprivileged loopback ports. */
public final class CaddyProcess implements AutoCloseable {
  private final Process process;
  private final int httpsPort;
  private final Path log;

  private CaddyProcess(Process process, int httpsPort, Path log) {
    this.process = process;
    this.httpsPort = httpsPort;
    this.log = log;
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
    CaddyProcess caddy = new CaddyProcess(builder.start(), https, log);
    ExternalProcess.awaitListening(caddy.process, https, log, 20_000);
    return caddy;
  }

  public int httpsPort() {
    return httpsPort;
  }

  public String log() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws InterruptedException {
    ExternalProcess.stop(process);
  }
}

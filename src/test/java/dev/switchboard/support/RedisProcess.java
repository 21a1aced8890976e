package dev.switchboard.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real redis-server (Debian package) on a free loopback port, without persistence. */
public final class RedisProcess implements AutoCloseable {
  private final int port;
  private final Path log;
  private ExternalProcess process;

  private RedisProcess(int port, Path log) {
    this.port = port;
    this.log = log;
  }

  public static RedisProcess start() throws IOException, InterruptedException {
    Path home = Files.createDirectories(Path.of("target", "redis", String.valueOf(System.nanoTime())));
    RedisProcess redis = new RedisProcess(TestNode.freePort(), home.resolve("redis.log"));
    redis.restart();
    return redis;
  }

  /** Starts it again on the same port (after {@link #stop()}), empty. */
  public void restart() throws IOException, InterruptedException {
    process = ExternalProcess.start(new ProcessBuilder(List.of("redis-server", "--port", String.valueOf(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"))
        .redirectErrorStream(true).redirectOutput(log.toFile()));
    process.awaitListening(port, Duration.ofSeconds(10));
  }

  /** The redis-server process id (to freeze it with {@link UnixSignals}). */
  public long pid() {
    return process.pid();
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public void stop() throws InterruptedException {
    process.close();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}

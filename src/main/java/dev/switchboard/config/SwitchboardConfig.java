package dev.switchboard.config;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The whole validated configuration of one node; built once at boot from YAML plus environment. */
public record SwitchboardConfig(
    String nodeId, HttpConfig http, ChannelConfig channel, RoomConfig rooms, TurnConfig turn,
    MetricsConfig metrics, Duration shutdownGrace) {

  public record HttpConfig(String host, int port, String webroot, int instances,
                           List<String> allowedOrigins, boolean allowLocalhostOrigins) {
  }

  public record ChannelConfig(int maxFrameBytes, int transportMaxFrameBytes, Duration idleTimeout,
                              int maxChannels, RateLimit rateLimit) {
  }

  public record RateLimit(int messagesPerSecond, int burst, int closeAfterRefused) {
  }

  public record RoomConfig(int maxPeers) {
  }

  /** @param secret empty when none was configured (a random one is then drawn at start) */
  public record TurnConfig(String secret, Duration credentialTtl, List<String> uris) {
  }

  public record MetricsConfig(boolean enabled, String host, int port) {
  }

  public static SwitchboardConfig from(JsonObject json) {
    ConfigReader root = ConfigReader.root(json);
    ConfigReader node = root.section("node");
    ConfigReader http = root.section("http");
    ConfigReader channel = root.section("channel");
    ConfigReader rate = channel.section("rate-limit");
    ConfigReader rooms = root.section("rooms");
    ConfigReader shutdown = root.section("shutdown");
    ConfigReader metrics = root.section("metrics");
    ConfigReader turn = root.section("turn");
    List<String> uris = turn.strings("uris");
    for (String uri : uris) {
      if (!uri.matches("(stun|stuns|turn|turns):[^\\s]+")) {
        throw new ConfigException("turn.uris: not a stun:/turn: URL: " + uri);
      }
    }

    String nodeId = node.string("id").isBlank() ? "node-" + UUID.randomUUID() : node.string("id");
    int cores = Runtime.getRuntime().availableProcessors();
    int instances = http.integer("instances", 0, 256);

    HttpConfig httpConfig = new HttpConfig(
        http.nonEmptyString("host"), http.integer("port", 0, 65535), http.nonEmptyString("webroot"),
        instances == 0 ? cores : instances, http.strings("allowed-origins"), http.bool("allow-localhost-origins"));

    int maxFrame = channel.integer("max-frame-bytes", 1024, 64 * 1024 * 1024);
    int transportMax = channel.integer("transport-max-frame-bytes", 1024, 256 * 1024 * 1024);
    if (transportMax < maxFrame) {
      throw new ConfigException("channel.transport-max-frame-bytes (" + transportMax
          + ") must not be smaller than channel.max-frame-bytes (" + maxFrame + ")");
    }
    ChannelConfig channelConfig = new ChannelConfig(
        maxFrame, transportMax,
        Duration.ofSeconds(channel.integer("idle-timeout-seconds", 1, 86_400)),
        channel.integer("max-channels", 1, 10_000),
        new RateLimit(rate.integer("messages-per-second", 1, 10_000_000),
            rate.integer("burst", 1, 10_000_000), rate.integer("close-after-refused", 1, 10_000_000)));

    return new SwitchboardConfig(nodeId, httpConfig, channelConfig,
        new RoomConfig(rooms.integer("max-peers", 2, 1000)),
        new TurnConfig(turn.string("secret"), Duration.ofSeconds(turn.integer("credential-ttl-seconds", 60, 7 * 86_400)),
            uris),
        new MetricsConfig(metrics.bool("enabled"), metrics.nonEmptyString("host"), metrics.integer("port", 0, 65535)),
        Duration.ofSeconds(shutdown.integer("grace-seconds", 0, 600)));
  }
}

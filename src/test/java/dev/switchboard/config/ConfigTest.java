package dev.switchboard.config;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ConfigTest {

  @Test
  void the_shipped_yaml_gives_the_documented_defaults(Vertx vertx) {
    SwitchboardConfig config = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of()), 5);
    assertEquals(4000, config.http().port());
    assertEquals(65536, config.channel().maxFrameBytes());
    assertEquals(Duration.ofSeconds(60), config.channel().idleTimeout());
    assertEquals(100, config.channel().maxChannels());
    assertEquals(25, config.rooms().maxPeers());
    assertEquals(6, config.rooms().meshMaxPeers());
    assertEquals(Topology.SFU, config.rooms().topology());
    assertEquals(25, config.rooms().peerCap());
    assertEquals(new SwitchboardConfig.MediaConfig(true, "127.0.0.1", 10000, ""), config.media());
    assertEquals(Duration.ofSeconds(600), config.turn().credentialTtl());
    assertEquals(24, config.turn().userQuota());
    assertEquals(48, config.turn().identityQuota());
    assertEquals(Runtime.getRuntime().availableProcessors(), config.http().instances());
    assertTrue(config.nodeId().startsWith("node-"));
  }

  @Test
  void turn_over_tls_is_off_until_both_pem_files_are_set_and_listens_on_5349(Vertx vertx) {
    SwitchboardConfig config = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of()), 5);
    assertEquals(false, config.turnTls().enabled());
    assertEquals(5349, config.turnTls().port());
    SwitchboardConfig tls = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of(
        "SWITCHBOARD_TURN_TLS_CERT_FILE", "/etc/switchboard/turn.crt",
        "SWITCHBOARD_TURN_TLS_KEY_FILE", "/etc/switchboard/turn.key", "SWITCHBOARD_TURN_TLS_PORT", "443")), 5);
    assertEquals(true, tls.turnTls().enabled());
    assertEquals(443, tls.turnTls().port());
    Throwable half = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of(
        "SWITCHBOARD_TURN_TLS_CERT_FILE", "/etc/switchboard/turn.crt")).map(c -> (Throwable) null)
        .otherwise(cause -> cause), 5);
    assertEquals("turn.tls: cert-file and key-file are set together (or neither)", half.getMessage());
  }

  @Test
  void env_variable_names_follow_the_key_path_with_dots_and_dashes_as_underscores() {
    assertEquals("SWITCHBOARD_HTTP_PORT", EnvOverrides.variableFor("http.port"));
    assertEquals("SWITCHBOARD_TURN_RELAY_IP", EnvOverrides.variableFor("turn.relay-ip"));
    assertEquals("SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST", EnvOverrides.variableFor("channel.rate-limit.burst"));
  }

  @Test
  void env_overrides_keep_the_type_of_the_yaml_default(Vertx vertx) {
    SwitchboardConfig config = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of(
        "SWITCHBOARD_HTTP_PORT", "4100",
        "SWITCHBOARD_HTTP_ALLOWED_ORIGINS", "https://a.example, https://b.example",
        "SWITCHBOARD_HTTP_ALLOW_LOCALHOST_ORIGINS", "false",
        "SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST", "7",
        "SWITCHBOARD_NODE_ID", "n1",
        "UNRELATED", "ignored")), 5);
    assertEquals(4100, config.http().port());
    assertEquals(List.of("https://a.example", "https://b.example"), config.http().allowedOrigins());
    assertFalse(config.http().allowLocalhostOrigins());
    assertEquals(7, config.channel().rateLimit().burst());
    assertEquals("n1", config.nodeId());
  }

  @Test
  void the_environment_is_not_copied_into_the_configuration() {
    JsonObject merged = EnvOverrides.apply(new JsonObject().put("http", new JsonObject().put("port", 1)),
        Map.of("SWITCHBOARD_SECRET_THING", "x", "PATH", "/bin"));
    assertEquals(new JsonObject().put("http", new JsonObject().put("port", 1)), merged);
  }

  @Test
  void bad_values_are_one_clear_line_naming_the_key(Vertx vertx) {
    ConfigException notANumber = assertThrows(ConfigException.class, () ->
        EnvOverrides.apply(new JsonObject().put("http", new JsonObject().put("port", 4000)),
            Map.of("SWITCHBOARD_HTTP_PORT", "40o0")));
    assertEquals("SWITCHBOARD_HTTP_PORT=40o0: http.port must be a number", notANumber.getMessage());

    JsonObject json = on(ConfigLoader.loadJson(vertx, ConfigLoader.DEFAULT_FILE, Map.of()), 5);
    json.getJsonObject("http").put("port", 70000);
    ConfigException outOfRange = assertThrows(ConfigException.class, () -> SwitchboardConfig.from(json));
    assertEquals("http.port must be between 0 and 65535, found: 70000", outOfRange.getMessage());

    json.getJsonObject("http").put("port", 4000).put("allowed-origins", "not-a-list");
    assertTrue(assertThrows(ConfigException.class, () -> SwitchboardConfig.from(json)).getMessage()
        .startsWith("http.allowed-origins must be a list"));

    json.getJsonObject("http").put("allowed-origins", new JsonArray());
    json.getJsonObject("channel").put("transport-max-frame-bytes", 2048);
    assertTrue(assertThrows(ConfigException.class, () -> SwitchboardConfig.from(json)).getMessage()
        .contains("must not be smaller than channel.max-frame-bytes"));
    json.getJsonObject("channel").put("transport-max-frame-bytes", 65536);
    assertEquals("channel.transport-max-frame-bytes (65536) must not be smaller than channel.max-media-event-bytes (262144)",
        assertThrows(ConfigException.class, () -> SwitchboardConfig.from(json)).getMessage());
  }

  @Test
  void socket_caps_trusted_proxies_and_close_timers_have_safe_defaults_and_are_checked(Vertx vertx) {
    SwitchboardConfig config = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of()), 5);
    assertEquals(15_000, config.http().maxConnections());
    assertEquals(100, config.http().maxConnectionsPerIp());
    assertEquals(List.of("127.0.0.1/32", "::1/128"), config.http().trustedProxies());
    assertEquals(64 * 1024, config.channel().maxFrameBytes());
    assertEquals(256 * 1024, config.channel().maxMediaEventBytes(), "an SDP of a 25-person SFU room fits");
    assertEquals(config.channel().maxMediaEventBytes(), config.channel().transportMaxFrameBytes(),
        "fragments are reassembled up to the largest event, not beyond");
    assertEquals(java.time.Duration.ofSeconds(10), config.channel().slowReaderTimeout());
    assertEquals(java.time.Duration.ofSeconds(5), config.channel().closeTimeout());
    SwitchboardConfig behindProxies = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of(
        "SWITCHBOARD_HTTP_TRUSTED_PROXIES", "10.0.0.0/8,fd00::/8", "SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP", "7")), 5);
    assertEquals(List.of("10.0.0.0/8", "fd00::/8"), behindProxies.http().trustedProxies());
    assertEquals(7, behindProxies.http().maxConnectionsPerIp());
    Throwable bad = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE,
        Map.of("SWITCHBOARD_HTTP_TRUSTED_PROXIES", "caddy.internal")).map(c -> (Throwable) null).otherwise(cause -> cause), 5);
    assertEquals("http.trusted-proxies: expected CIDR blocks such as 10.0.0.0/8, found: caddy.internal",
        bad.getMessage());
  }

  @Test
  void cluster_settings_are_off_by_default_and_checked(Vertx vertx) {
    SwitchboardConfig config = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of()), 5);
    assertFalse(config.cluster().enabled());
    SwitchboardConfig clustered = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of(
        "SWITCHBOARD_CLUSTER_ENABLED", "true", "SWITCHBOARD_CLUSTER_MEMBERS", "10.0.0.1:5701,10.0.0.2:5701")), 5);
    assertEquals(List.of("10.0.0.1:5701", "10.0.0.2:5701"), clustered.cluster().members());
    Throwable bad = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of("SWITCHBOARD_CLUSTER_MEMBERS", "nodeport"))
        .map(c -> (Throwable) null).otherwise(cause -> cause), 5);
    assertEquals("cluster.members: expected host:port, found: nodeport", bad.getMessage());
    Throwable url = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of("SWITCHBOARD_REDIS_URL", "localhost"))
        .map(c -> (Throwable) null).otherwise(cause -> cause), 5);
    assertTrue(url.getMessage().startsWith("redis.url must start with redis://"));
  }

  @Test
  void the_redis_command_timeout_defaults_to_two_seconds_and_is_checked(Vertx vertx) {
    SwitchboardConfig config = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of()), 5);
    assertEquals(Duration.ofMillis(2000), config.cluster().redisCommandTimeout());
    SwitchboardConfig shorter = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE,
        Map.of("SWITCHBOARD_REDIS_COMMAND_TIMEOUT_MS", "250")), 5);
    assertEquals(Duration.ofMillis(250), shorter.cluster().redisCommandTimeout());
    Throwable zero = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of("SWITCHBOARD_REDIS_COMMAND_TIMEOUT_MS", "0"))
        .map(c -> (Throwable) null).otherwise(cause -> cause), 5);
    assertEquals("redis.command-timeout-ms must be between 10 and 600000, found: 0", zero.getMessage());
  }

  @Test
  void the_udp_engine_is_chosen_automatically_unless_epoll_or_nio_is_named(Vertx vertx) {
    assertEquals("auto", on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of()), 5).turn().io());
    assertEquals("nio", on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE,
        Map.of("SWITCHBOARD_TURN_IO", "nio")), 5).turn().io());
    Throwable unknown = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of("SWITCHBOARD_TURN_IO", "io_uring"))
        .map(c -> (Throwable) null).otherwise(cause -> cause), 5);
    assertEquals("turn.io must be auto, epoll or nio, found: io_uring", unknown.getMessage());
  }

  @Test
  void a_missing_file_is_named(Vertx vertx) {
    Throwable failure = on(ConfigLoader.load(vertx, Path.of("conf/nope.yaml"), Map.of())
        .map(config -> (Throwable) null).otherwise(cause -> cause), 5);
    assertTrue(failure instanceof ConfigException, String.valueOf(failure));
    assertTrue(failure.getMessage().startsWith("configuration file not found: "), failure.getMessage());
  }

  /** The one-line message the configuration fails with under these environment variables. */
  private static String failure(Vertx vertx, Map<String, String> env) {
    Throwable failure = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, env).map(c -> (Throwable) null)
        .otherwise(cause -> cause), 5);
    assertTrue(failure instanceof ConfigException, String.valueOf(failure));
    return failure.getMessage();
  }

  @Test
  void turn_stream_limits_default_as_documented_and_are_set_per_listener(Vertx vertx) {
    SwitchboardConfig config = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of()), 5);
    assertEquals(new SwitchboardConfig.StreamLimitsConfig(10_000, 200, Duration.ofSeconds(10), 262_144),
        config.turn().tcp());
    assertEquals(new SwitchboardConfig.StreamLimitsConfig(10_000, 256, Duration.ofSeconds(10), 262_144),
        config.turnTls().limits());
    SwitchboardConfig tuned = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of(
        "SWITCHBOARD_TURN_TCP_MAX_CONNECTIONS", "500", "SWITCHBOARD_TURN_TCP_MAX_CONNECTIONS_PER_IP", "3",
        "SWITCHBOARD_TURN_TCP_AUTH_TIMEOUT_SECONDS", "5", "SWITCHBOARD_TURN_TCP_SEND_QUEUE_BYTES", "131072",
        "SWITCHBOARD_TURN_TLS_MAX_CONNECTIONS_PER_IP", "4", "SWITCHBOARD_TURN_TLS_AUTH_TIMEOUT_SECONDS", "20")), 5);
    assertEquals(new SwitchboardConfig.StreamLimitsConfig(500, 3, Duration.ofSeconds(5), 131_072), tuned.turn().tcp());
    assertEquals(new SwitchboardConfig.StreamLimitsConfig(10_000, 4, Duration.ofSeconds(20), 262_144),
        tuned.turnTls().limits(), "each listener has its own");
  }

  @Test
  void nonsense_stream_limits_are_refused_naming_the_key(Vertx vertx) {
    assertEquals("turn.tcp.max-connections must be between 1 and 1000000, found: 0",
        failure(vertx, Map.of("SWITCHBOARD_TURN_TCP_MAX_CONNECTIONS", "0")));
    assertEquals("turn.tcp.max-connections-per-ip (200) must not be above turn.tcp.max-connections (100)",
        failure(vertx, Map.of("SWITCHBOARD_TURN_TCP_MAX_CONNECTIONS", "100")));
    assertEquals("turn.tcp.auth-timeout-seconds must be between 1 and 600, found: 0",
        failure(vertx, Map.of("SWITCHBOARD_TURN_TCP_AUTH_TIMEOUT_SECONDS", "0")));
    assertEquals("turn.tcp.send-queue-bytes must be between 65536 and 67108864, found: 1500",
        failure(vertx, Map.of("SWITCHBOARD_TURN_TCP_SEND_QUEUE_BYTES", "1500")));
    assertEquals("turn.tls.max-connections-per-ip must be between 1 and 1000000, found: -1",
        failure(vertx, Map.of("SWITCHBOARD_TURN_TLS_MAX_CONNECTIONS_PER_IP", "-1")));
    assertEquals("turn.tls.send-queue-bytes must be between 65536 and 67108864, found: 0",
        failure(vertx, Map.of("SWITCHBOARD_TURN_TLS_SEND_QUEUE_BYTES", "0")));
    assertEquals("SWITCHBOARD_TURN_TLS_AUTH_TIMEOUT_SECONDS=ten: turn.tls.auth-timeout-seconds must be a number",
        failure(vertx, Map.of("SWITCHBOARD_TURN_TLS_AUTH_TIMEOUT_SECONDS", "ten")));
  }

  @Test
  void rooms_are_sfu_rooms_where_this_node_runs_the_media_node_outside_a_cluster_and_mesh_rooms_elsewhere(Vertx vertx) {
    assertEquals(Topology.SFU, on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of()), 5).rooms().topology());
    SwitchboardConfig noNode = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE,
        Map.of("SWITCHBOARD_MEDIA_ENABLED", "false")), 5);
    assertEquals(Topology.MESH, noNode.rooms().topology());
    assertEquals(6, noNode.rooms().peerCap(), "a mesh room takes mesh-max-peers");
    assertEquals(Topology.SFU, Topology.of("", true), "nothing configured (an older file) is auto");
    SwitchboardConfig mesh = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE,
        Map.of("SWITCHBOARD_ROOMS_TOPOLOGY", "mesh")), 5);
    assertEquals(Topology.MESH, mesh.rooms().topology());
    assertTrue(mesh.media().enabled(), "the media node still runs, rooms just do not use it");
    SwitchboardConfig elsewhere = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE,
        Map.of("SWITCHBOARD_ROOMS_TOPOLOGY", "sfu", "SWITCHBOARD_MEDIA_ENABLED", "false")), 5);
    assertEquals(Topology.SFU, elsewhere.rooms().topology());
    assertEquals("rooms.topology must be auto, mesh or sfu, found: star",
        failure(vertx, Map.of("SWITCHBOARD_ROOMS_TOPOLOGY", "star")));
    assertEquals("rooms.mesh-max-peers must be between 2 and 1000, found: 1",
        failure(vertx, Map.of("SWITCHBOARD_ROOMS_MESH_MAX_PEERS", "1")));
  }

  @Test
  void the_media_node_is_on_by_default_and_a_node_elsewhere_is_named_by_ip_and_port(Vertx vertx) {
    SwitchboardConfig config = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of()), 5);
    assertTrue(config.media().configured());
    assertEquals("127.0.0.1", config.media().announcedIp(), "the bound host when no public-ip is set");
    SwitchboardConfig off = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE,
        Map.of("SWITCHBOARD_MEDIA_ENABLED", "false")), 5);
    assertFalse(off.media().configured(), "a port alone names no node elsewhere");
    SwitchboardConfig withNode = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of(
        "SWITCHBOARD_MEDIA_ENABLED", "false", "SWITCHBOARD_MEDIA_PUBLIC_IP", "127.0.0.1",
        "SWITCHBOARD_MEDIA_PORT", "40000")), 5);
    assertEquals(new SwitchboardConfig.MediaConfig(false, "127.0.0.1", 40000, "127.0.0.1"), withNode.media());
    assertTrue(withNode.media().configured());
    assertEquals("media.port must be set with media.public-ip (a media node elsewhere is named by both)",
        failure(vertx, Map.of("SWITCHBOARD_MEDIA_ENABLED", "false", "SWITCHBOARD_MEDIA_PUBLIC_IP", "127.0.0.1",
            "SWITCHBOARD_MEDIA_PORT", "0")));
    assertEquals("media.public-ip must be an IP address, found: media.example",
        failure(vertx, Map.of("SWITCHBOARD_MEDIA_PUBLIC_IP", "media.example")));
    assertEquals("media.public-ip must be set when media.host listens on every address",
        failure(vertx, Map.of("SWITCHBOARD_MEDIA_HOST", "0.0.0.0")));
    SwitchboardConfig anyPort = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE,
        Map.of("SWITCHBOARD_MEDIA_PORT", "0")), 5);
    assertEquals(40123, anyPort.media().withPort(40123).port(), "port 0 binds any free port, announced as bound");
    assertEquals("media.port must be between 0 and 65535, found: 70000",
        failure(vertx, Map.of("SWITCHBOARD_MEDIA_PORT", "70000")));
  }
}

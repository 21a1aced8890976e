package dev.switchboard.config;

import dev.switchboard.net.Cidr;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The whole validated configuration of one node; built once at boot from YAML plus environment. */
public record SwitchboardConfig(
    String nodeId, HttpConfig http, ChannelConfig channel, RoomConfig rooms, TurnConfig turn,
    MetricsConfig metrics, ClusterConfig cluster, Duration shutdownGrace, AuthConfig auth,
    Duration sessionResume, TurnTlsConfig turnTls, MediaConfig media) {

  /** @param redisCommandTimeout every Redis command fails after this long, as if Redis were unreachable */
  public record ClusterConfig(boolean enabled, String host, String publicHost, int port, int busPort,
                              List<String> members, int failureTimeoutSeconds, String redisUrl,
                              Duration redisCommandTimeout) {
  }

  /** The same configuration under another node id (a clustered node takes its cluster member id). */
  public SwitchboardConfig withNodeId(String id) {
    return new SwitchboardConfig(id, http, channel, rooms, turn, metrics, cluster, shutdownGrace, auth,
        sessionResume, turnTls, media);
  }

  public record HttpConfig(String host, int port, String webroot, int instances,
                           List<String> allowedOrigins, boolean allowLocalhostOrigins,
                           int maxConnections, int maxConnectionsPerIp, List<String> trustedProxies,
                           int joinsPerIpPerSecond, int joinBurstPerIp) {
  }

  public record ChannelConfig(int maxFrameBytes, int transportMaxFrameBytes, Duration idleTimeout,
                              int maxChannels, RateLimit rateLimit, Duration slowReaderTimeout,
                              Duration closeTimeout, int maxMediaEventBytes) {
  }

  public record RateLimit(int messagesPerSecond, int burst, int closeAfterRefused) {
  }

  /**
   * Rooms ({@code rooms}): every room of a node has one topology. In a mesh the browsers connect to each other
   * (signal:* only); in an SFU room each connects once to the media node (media:* events, protocol.md §8).
   *
   * @param maxPeers     the cap of an SFU room
   * @param meshMaxPeers the cap of a mesh room, whose browsers each carry n-1 up- and downstreams
   */
  public record RoomConfig(Topology topology, int maxPeers, int meshMaxPeers) {
    /** The cap of this node's rooms, whose topology it is. */
    public int peerCap() {
      return topology == Topology.SFU ? maxPeers : meshMaxPeers;
    }
  }

  /**
   * @param secret        empty when none was configured (a random one is then drawn at start)
   * @param userQuota     allocations per peer (the peer id of a peer-bound username; other usernames count whole)
   * @param identityQuota allocations per identity tag, across that identity's peers
   */
  public record TurnConfig(String secret, List<String> previousSecrets, Duration credentialTtl, List<String> uris,
                           List<String> staticUsers, boolean relayEnabled, String listenIp, int port, String relayIp,
                           String relayIpv6, String externalIp, int minPort, int maxPort, String realm,
                           List<String> allowedPeers, int userQuota, int identityQuota, int totalQuota,
                           int maxPermissions, int maxChannels, long bandwidthBytesPerSecond,
                           int allocationLifetimeSeconds, int maxAllocationLifetimeSeconds, int threads,
                           String io, StreamLimitsConfig tcp) {
  }

  /**
   * What one TURN stream listener ({@code turn.tcp}, {@code turn.tls}) lets clients hold.
   *
   * @param authTimeout    a connection that has not authenticated a request by then is closed
   * @param sendQueueBytes bytes waiting to be written to one client; a packet that does not fit is dropped
   */
  public record StreamLimitsConfig(int maxConnections, int maxConnectionsPerIp, Duration authTimeout,
                                   int sendQueueBytes) {
  }

  /**
   * The media node ({@code media}): when enabled, this node forwards media on one UDP port ({@code host:port}) and
   * announces {@code public-ip} (or {@code host}) in its candidates. Either way the relay admits the announced
   * ip:port as a peer even where the deny-list refuses the IP (a media node elsewhere is named by public-ip and
   * port alone).
   *
   * @param port     0 when enabled: any free port, announced as bound (tests, several nodes on one host)
   * @param publicIp blank when the node announces its {@code host}
   */
  public record MediaConfig(boolean enabled, String host, int port, String publicIp) {
    /** The same node bound to {@code boundPort} (its port when configured as 0, which binds any free one). */
    public MediaConfig withPort(int boundPort) {
      return new MediaConfig(enabled, host, boundPort, publicIp);
    }

    public MediaConfig {
      if (!publicIp.isBlank() && !publicIp.matches("[0-9a-fA-F:.]+")) {
        throw new ConfigException("media.public-ip must be an IP address, found: " + publicIp);
      }
      if (enabled && publicIp.isBlank() && (host.equals("0.0.0.0") || host.equals("::"))) {
        throw new ConfigException("media.public-ip must be set when media.host listens on every address");
      }
      if (!enabled && !publicIp.isBlank() && port == 0) {
        throw new ConfigException("media.port must be set with media.public-ip (a media node elsewhere is named "
            + "by both)");
      }
    }

    /** The IP in the node's candidates, and the one the relay admits. */
    public String announcedIp() {
      return publicIp.isBlank() ? host : publicIp;
    }

    public boolean configured() {
      return enabled || !publicIp.isBlank();
    }
  }

  /**
   * TURN over TLS ({@code turn.tls}): on when both PEM files are set.
   *
   * @param reloadCheck how often the files are checked for a change
   * @param host        the name in the handed-out {@code turns:} URL (the certificate's); blank: the relay address
   */
  public record TurnTlsConfig(int port, String certFile, String keyFile, Duration reloadCheck, String host,
                              StreamLimitsConfig limits) {
    public TurnTlsConfig {
      if (certFile.isBlank() != keyFile.isBlank()) {
        throw new ConfigException("turn.tls: cert-file and key-file are set together (or neither)");
      }
    }

    public boolean enabled() {
      return !certFile.isBlank();
    }
  }

  public record MetricsConfig(boolean enabled, String host, int port) {
  }

  /**
   * Access control (docs/protocol.md §4).
   *
   * @param mode       {@value #OPEN} (rooms by link, join params taken as given) or {@value #TOKEN}
   * @param keys       HS256 keys as {@code kid:secret}, each secret at least 32 bytes; the first one signs
   * @param publicKeys ES256/RS256 verification keys as {@code kid:ALG:path-to-PEM}
   */
  public record AuthConfig(String mode, List<String> keys, List<String> publicKeys) {
    public static final String OPEN = "open";
    public static final String TOKEN = "token";
    /** HS256 keys shorter than its 256-bit output can be brute-forced from one token (RFC 7518 §3.2). */
    public static final int MIN_SECRET_BYTES = 32;
    private static final String KID = "[A-Za-z0-9._-]{1,64}";

    /** Checks everything, so that an AuthConfig that exists is usable (tests build them directly too). */
    public AuthConfig {
      keys = List.copyOf(keys);
      publicKeys = List.copyOf(publicKeys);
      validate(mode, secretKeys(keys), publicKeyFiles(publicKeys));
    }

    public boolean tokenMode() {
      return TOKEN.equals(mode);
    }

    /** One HS256 key; {@code secret} is used as its UTF-8 bytes. */
    public record SecretKey(String kid, String secret) {
      @Override
      public String toString() {
        return "SecretKey[kid=" + kid + ", secret=<redacted>]";
      }
    }

    /** One ES256/RS256 verification key, read from a PEM file (a public key or a certificate). */
    public record PublicKeyFile(String kid, String algorithm, Path pem) {
    }

    /** {@link #keys()} split into key id and secret, in the configured order. */
    public List<SecretKey> secretKeys() {
      return secretKeys(keys);
    }

    /** {@link #publicKeys()} split into key id, algorithm and file. */
    public List<PublicKeyFile> publicKeyFiles() {
      return publicKeyFiles(publicKeys);
    }

    private static List<SecretKey> secretKeys(List<String> keys) {
      List<SecretKey> parsed = new ArrayList<>();
      for (String entry : keys) {
        int colon = entry.indexOf(':');
        // never echo an entry here: it holds a secret, and this message ends up in logs
        if (colon < 0) {
          throw new ConfigException("auth.keys: expected kid:secret, found an entry without ':'"
              + " (quote each entry in YAML: - \"kid:secret\")");
        }
        parsed.add(new SecretKey(entry.substring(0, colon), entry.substring(colon + 1)));
      }
      return parsed;
    }

    private static List<PublicKeyFile> publicKeyFiles(List<String> publicKeys) {
      List<PublicKeyFile> parsed = new ArrayList<>();
      for (String entry : publicKeys) {
        // the path is last and may itself hold ':'
        String[] parts = entry.split(":", 3);
        if (parts.length != 3 || !parts[1].matches("ES256|RS256") || parts[2].isBlank()) {
          throw new ConfigException("auth.public-keys: expected kid:ES256:path or kid:RS256:path, found: " + entry);
        }
        parsed.add(new PublicKeyFile(parts[0], parts[1], Path.of(parts[2])));
      }
      return parsed;
    }

    /** Secrets stay out of logs and exception messages that print the configuration. */
    @Override
    public String toString() {
      return "AuthConfig[mode=" + mode + ", keys=" + secretKeys() + ", publicKeys=" + publicKeys + "]";
    }

    private static void validate(String mode, List<SecretKey> secretKeys, List<PublicKeyFile> publicKeyFiles) {
      if (!OPEN.equals(mode) && !TOKEN.equals(mode)) {
        throw new ConfigException("auth.mode must be \"" + OPEN + "\" or \"" + TOKEN + "\", found: "
            + (mode == null || mode.isEmpty() ? "nothing" : mode));
      }
      Set<String> kids = new HashSet<>();
      for (SecretKey key : secretKeys) {
        checkKid("auth.keys", key.kid(), kids);
        int bytes = key.secret().getBytes(StandardCharsets.UTF_8).length;
        if (bytes < MIN_SECRET_BYTES) {
          throw new ConfigException("auth.keys: the secret of key id " + key.kid() + " is " + bytes
              + " bytes; HS256 needs at least " + MIN_SECRET_BYTES + " (256 bits), e.g. openssl rand -base64 48");
        }
      }
      for (PublicKeyFile key : publicKeyFiles) {
        checkKid("auth.public-keys", key.kid(), kids);
      }
      if (TOKEN.equals(mode) && kids.isEmpty()) {
        throw new ConfigException("auth.mode is token but no key is configured: set auth.keys (or "
            + EnvOverrides.variableFor("auth.keys") + "=kid:secret, a secret of at least " + MIN_SECRET_BYTES
            + " bytes) or auth.public-keys");
      }
    }

    private static void checkKid(String key, String kid, Set<String> seen) {
      if (!kid.matches(KID)) {
        throw new ConfigException(key + ": a key id must be 1-64 characters of [A-Za-z0-9._-], found: " + kid);
      }
      if (!seen.add(kid)) {
        throw new ConfigException(key + ": key id " + kid + " is configured twice (ids are unique across"
            + " auth.keys and auth.public-keys)");
      }
    }
  }

  private static AuthConfig authConfig(ConfigReader root) {
    ConfigReader auth = root.section("auth");
    return new AuthConfig(auth.string("mode"), auth.strings("keys"), auth.strings("public-keys"));
  }

  private static ClusterConfig clusterConfig(ConfigReader root) {
    ConfigReader cluster = root.section("cluster");
    ConfigReader redis = root.section("redis");
    List<String> members = cluster.strings("members", "[^:\\s]+:\\d{1,5}", "host:port");
    String url = redis.nonEmptyString("url");
    if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      throw new ConfigException("redis.url must start with redis:// or rediss://, found: " + url);
    }
    return new ClusterConfig(cluster.bool("enabled"), cluster.nonEmptyString("host"), cluster.string("public-host"),
        cluster.integer("port", 1, 65535), cluster.integer("bus-port", 0, 65535), members,
        cluster.integer("failure-timeout-seconds", 1, 600), url,
        Duration.ofMillis(redis.integer("command-timeout-ms", 10, 600_000)));
  }

  private static TurnConfig turnConfig(ConfigReader turn, List<String> uris) {
    int minPort = turn.integer("min-port", 1024, 65535);
    int maxPort = turn.integer("max-port", 1024, 65535);
    if (maxPort <= minPort) {
      throw new ConfigException("turn.max-port (" + maxPort + ") must be above turn.min-port (" + minPort + ")");
    }
    for (String user : turn.strings("static-users")) {
      if (user.indexOf(':') < 1) {
        throw new ConfigException("turn.static-users: expected name:password, found an entry without ':'");
      }
    }
    int lifetime = turn.integer("allocation-lifetime-seconds", 60, 3600);
    return new TurnConfig(turn.string("secret"), turn.strings("previous-secrets"),
        Duration.ofSeconds(turn.integer("credential-ttl-seconds", 60, 7 * 86_400)), uris, turn.strings("static-users"),
        turn.bool("relay-enabled"), turn.nonEmptyString("listen-ip"), turn.integer("port", 0, 65535),
        turn.nonEmptyString("relay-ip"), turn.string("relay-ipv6"), turn.string("external-ip"), minPort, maxPort,
        turn.nonEmptyString("realm"), turn.strings("allowed-peers"), turn.integer("user-quota", 1, 1_000_000),
        turn.integer("identity-quota", 1, 1_000_000), turn.integer("total-quota", 1, 10_000_000),
        turn.integer("max-permissions", 1, 10_000), turn.integer("max-channels", 1, 4096), turn.integer("bandwidth-bytes-per-second", 0, Integer.MAX_VALUE),
        lifetime, turn.integer("max-allocation-lifetime-seconds", lifetime, 86_400), turn.integer("threads", 0, 256),
        turnIo(turn.string("io")), streamLimits(turn.section("tcp")));
  }

  /** How the relay moves UDP: {@code epoll} (Netty's native transport, batched system calls), {@code nio}, or {@code auto}. */
  private static String turnIo(String io) {
    String value = io.isBlank() ? "auto" : io;
    if (!List.of("auto", "epoll", "nio").contains(value)) {
      throw new ConfigException("turn.io must be auto, epoll or nio, found: " + io);
    }
    return value;
  }

  private static TurnTlsConfig turnTlsConfig(ConfigReader tls) {
    return new TurnTlsConfig(tls.integer("port", 0, 65535), tls.string("cert-file"), tls.string("key-file"),
        Duration.ofSeconds(tls.integer("reload-check-seconds", 1, 86_400)), tls.string("host"), streamLimits(tls));
  }

  /** The caps and timers of {@code turn.tcp} or {@code turn.tls}. */
  private static StreamLimitsConfig streamLimits(ConfigReader stream) {
    int total = stream.integer("max-connections", 1, 1_000_000);
    int perIp = stream.integer("max-connections-per-ip", 1, 1_000_000);
    if (perIp > total) {
      throw new ConfigException(stream.name("max-connections-per-ip") + " (" + perIp + ") must not be above "
          + stream.name("max-connections") + " (" + total + ")");
    }
    // below 64 KiB a queue could not hold the largest relayed packet, which would then always be dropped
    return new StreamLimitsConfig(total, perIp, Duration.ofSeconds(stream.integer("auth-timeout-seconds", 1, 600)),
        stream.integer("send-queue-bytes", 64 * 1024, 64 * 1024 * 1024));
  }

  private static List<String> trustedProxies(ConfigReader http) {
    List<String> cidrs = http.strings("trusted-proxies");
    for (String cidr : cidrs) {
      try {
        Cidr.parse(cidr);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("http.trusted-proxies: expected CIDR blocks such as 10.0.0.0/8, found: " + cidr);
      }
    }
    return cidrs;
  }

  public static SwitchboardConfig from(JsonObject json) {
    ConfigReader root = ConfigReader.root(json);
    ConfigReader node = root.section("node");
    ConfigReader http = root.section("http");
    ConfigReader channel = root.section("channel");
    ConfigReader rate = channel.section("rate-limit");
    ConfigReader rooms = root.section("rooms");
    ConfigReader shutdown = root.section("shutdown");
    ConfigReader session = root.section("session");
    ConfigReader metrics = root.section("metrics");
    ConfigReader turn = root.section("turn");
    ConfigReader media = root.section("media");
    List<String> uris = turn.strings("uris", "(stun|stuns|turn|turns):[^\\s]+", "a stun:/turn: URL");

    String nodeId = node.string("id").isBlank() ? "node-" + UUID.randomUUID() : node.string("id");
    int cores = Runtime.getRuntime().availableProcessors();
    int instances = http.integer("instances", 0, 256);

    HttpConfig httpConfig = new HttpConfig(
        http.nonEmptyString("host"), http.integer("port", 0, 65535), http.nonEmptyString("webroot"),
        instances == 0 ? cores : instances, http.strings("allowed-origins"), http.bool("allow-localhost-origins"),
        http.integer("max-connections", 1, 10_000_000), http.integer("max-connections-per-ip", 1, 10_000_000),
        trustedProxies(http), http.integer("joins-per-ip-per-second", 1, 10_000_000),
        http.integer("join-burst-per-ip", 1, 10_000_000));

    int maxFrame = channel.integer("max-frame-bytes", 1024, 64 * 1024 * 1024);
    int transportMax = channel.integer("transport-max-frame-bytes", 1024, 256 * 1024 * 1024);
    if (transportMax < maxFrame) {
      throw new ConfigException("channel.transport-max-frame-bytes (" + transportMax
          + ") must not be smaller than channel.max-frame-bytes (" + maxFrame + ")");
    }
    int maxMediaEvent = channel.integer("max-media-event-bytes", maxFrame, 256 * 1024 * 1024);
    if (transportMax < maxMediaEvent) {
      throw new ConfigException("channel.transport-max-frame-bytes (" + transportMax
          + ") must not be smaller than channel.max-media-event-bytes (" + maxMediaEvent + ")");
    }
    ChannelConfig channelConfig = new ChannelConfig(
        maxFrame, transportMax,
        Duration.ofSeconds(channel.integer("idle-timeout-seconds", 1, 86_400)),
        channel.integer("max-channels", 1, 10_000),
        new RateLimit(rate.integer("messages-per-second", 1, 10_000_000),
            rate.integer("burst", 1, 10_000_000), rate.integer("close-after-refused", 1, 10_000_000)),
        Duration.ofSeconds(channel.integer("slow-reader-seconds", 1, 3600)),
        Duration.ofSeconds(channel.integer("close-timeout-seconds", 1, 600)), maxMediaEvent);

    return new SwitchboardConfig(nodeId, httpConfig, channelConfig,
        new RoomConfig(Topology.of(rooms.string("topology"), media.bool("enabled")),
            rooms.integer("max-peers", 2, 1000), rooms.integer("mesh-max-peers", 2, 1000)),
        turnConfig(turn, uris),
        new MetricsConfig(metrics.bool("enabled"), metrics.nonEmptyString("host"), metrics.integer("port", 0, 65535)),
        clusterConfig(root),
        Duration.ofSeconds(shutdown.integer("grace-seconds", 0, 600)),
        authConfig(root),
        Duration.ofSeconds(session.integer("resume-seconds", 0, 3600)), turnTlsConfig(turn.section("tls")),
        new MediaConfig(media.bool("enabled"), media.nonEmptyString("host"), media.integer("port", 0, 65535),
            media.string("public-ip")));
  }
}

package dev.switchboard.support;

import dev.switchboard.Node;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.SwitchboardMetrics;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real node on a free port, configured from conf/switchboard.yaml plus SWITCHBOARD_* overrides. */
public final class TestNode implements AutoCloseable {
  private final Vertx vertx;
  private final Node node;

  private TestNode(Vertx vertx, Node node) {
    this.vertx = vertx;
    this.node = node;
  }

  public static TestNode start(Vertx vertx, Map<String, String> env) {
    Map<String, String> merged = new HashMap<>();
    merged.put("SWITCHBOARD_HTTP_HOST", "127.0.0.1");
    merged.put("SWITCHBOARD_HTTP_PORT", String.valueOf(freePort()));
    merged.put("SWITCHBOARD_HTTP_INSTANCES", "1");
    merged.put("SWITCHBOARD_METRICS_PORT", "0");
    merged.put("SWITCHBOARD_TURN_PORT", "0");
    merged.put("SWITCHBOARD_TURN_LISTEN_IP", "127.0.0.1");
    merged.put("SWITCHBOARD_TURN_ALLOWED_PEERS", "127.0.0.1/32");
    // the media node is on by default: any free port, so that parallel tests never collide
    merged.put("SWITCHBOARD_MEDIA_PORT", "0");
    // every test client comes from 127.0.0.1: the per-address join cap has its own spec
    merged.put("SWITCHBOARD_HTTP_JOINS_PER_IP_PER_SECOND", "100000");
    merged.put("SWITCHBOARD_HTTP_JOIN_BURST_PER_IP", "100000");
    merged.putAll(env);
    SwitchboardConfig config = Wait.on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, merged), 10);
    return new TestNode(vertx, Wait.on(Node.start(vertx, config, SwitchboardMetrics.create()), 10));
  }

  public static TestNode start(Vertx vertx) {
    return start(vertx, Map.of());
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public Node node() {
    return node;
  }

  public int port() {
    return node.httpPort();
  }

  public String socketUrl() {
    return "ws://127.0.0.1:" + port() + "/socket/websocket?vsn=2.0.0";
  }

  public TestClient connect() {
    return TestClient.connect(vertx, port(), "/socket/websocket?vsn=2.0.0", Map.of());
  }

  /** Connects with an access token in the connect params (phoenix.js {@code params: {token}}). */
  public TestClient connect(String token) {
    return TestClient.connect(vertx, port(), "/socket/websocket?vsn=2.0.0&token=" + token, Map.of());
  }

  /** Connects asking for the session of a resume token (protocol.md §7), URL-encoded as phoenix.js would. */
  public TestClient resume(String resumeToken) {
    return TestClient.connect(vertx, port(), "/socket/websocket?vsn=2.0.0&resume="
        + java.net.URLEncoder.encode(resumeToken, java.nio.charset.StandardCharsets.UTF_8), Map.of());
  }

  public void stop() {
    Wait.on(node.stop(), 20);
  }

  @Override
  public void close() {
    stop();
  }
}

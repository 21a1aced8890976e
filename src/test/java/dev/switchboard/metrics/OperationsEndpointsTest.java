package dev.switchboard.metrics;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.gateway.GatewayVerticle;
import dev.switchboard.gateway.IceServers;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /health, /ready and /metrics tell the truth about the node. */
@ExtendWith(VertxExtension.class)
class OperationsEndpointsTest {

  private static Map.Entry<Integer, String> get(Vertx vertx, int port, String path) {
    HttpClient http = vertx.createHttpClient();
    try {
      return on(http.request(HttpMethod.GET, port, "127.0.0.1", path).compose(r -> r.send())
          .compose(response -> response.body().map(body -> Map.entry(response.statusCode(), body.toString()))), 5);
    } finally {
      http.close();
    }
  }

  /** The value of one series (name plus labels, exactly as exposed); empty when the scrape does not have it. */
  private static OptionalDouble find(String exposition, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(exposition);
    if (!m.find()) {
      return OptionalDouble.empty();
    }
    double value = Double.parseDouble(m.group(1));
    assertFalse(m.find(), () -> "series " + series + " exposed twice:\n" + exposition);
    return OptionalDouble.of(value);
  }

  /** The value of one series; a series missing from the scrape fails the test (it is not read as 0). */
  private static double sample(String exposition, String series) {
    return find(exposition, series).orElseThrow(
        () -> new AssertionError("metric series " + series + " missing from /metrics:\n" + exposition));
  }

  @Test
  void health_is_alive_and_ready_checks_the_registry(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx)) {
      Map.Entry<Integer, String> health = get(vertx, node.port(), "/health");
      assertEquals(200, health.getKey());
      assertEquals("ok", new JsonObject(health.getValue()).getString("status"));
      Map.Entry<Integer, String> ready = get(vertx, node.port(), "/ready");
      assertEquals(200, ready.getKey(), ready.getValue());
      assertEquals("ok", new JsonObject(ready.getValue()).getJsonObject("checks").getString("registry"));
      assertEquals("ok", new JsonObject(ready.getValue()).getJsonObject("checks").getString("turn"), "relay listening");
    }
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_RELAY_ENABLED", "false"))) {
      JsonObject ready = new JsonObject(get(vertx, node.port(), "/ready").getValue());
      assertEquals("disabled", ready.getJsonObject("checks").getString("turn"));
      assertEquals("ready", ready.getString("status"));
    }
  }

  @Test
  void ready_says_not_ready_and_why_when_the_registry_does_not_answer(Vertx vertx) {
    SwitchboardConfig config = on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of(
        "SWITCHBOARD_HTTP_HOST", "127.0.0.1", "SWITCHBOARD_HTTP_PORT", "0")), 5);
    GatewayVerticle lonelyGateway = new GatewayVerticle(config, IceServers.NONE, SwitchboardMetrics.create());
    on(vertx.deployVerticle(lonelyGateway), 5);
    Map.Entry<Integer, String> ready = get(vertx, lonelyGateway.port(), "/ready");
    assertEquals(503, ready.getKey(), ready.getValue());
    JsonObject body = new JsonObject(ready.getValue());
    assertEquals("not_ready", body.getString("status"));
    assertEquals("registry_unavailable", body.getJsonObject("checks").getString("registry"));
    assertEquals("not_listening", body.getJsonObject("checks").getString("turn"), "no relay answers either");
    assertEquals(200, get(vertx, lonelyGateway.port(), "/health").getKey(), "alive all the same");
  }

  @Test
  void metrics_count_sockets_joins_relayed_and_refused_signals(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx); TestClient a = node.connect(); TestClient b = node.connect()) {
      a.enter("m1");
      b.enter("m1");
      a.push(a.joinRef("room:m1"), "room:m1", "signal:offer", new JsonObject().put("to", b.peerId()).put("body", 1));
      a.push(a.joinRef("room:m1"), "room:m1", "signal:offer", new JsonObject().put("to", "stranger").put("body", 1));
      b.awaitEvent("peer:" + b.peerId(), "signal:offer");

      Map.Entry<Integer, String> scrape = get(vertx, node.node().metricsPort(), "/metrics");
      assertEquals(200, scrape.getKey());
      String text = scrape.getValue();
      assertEquals(2, sample(text, "switchboard_sockets_connected"), text);
      assertEquals(2, sample(text, "switchboard_peers_joined"), text);
      assertEquals(1, sample(text, "switchboard_rooms_active"), text);
      assertEquals(2, sample(text, "switchboard_joins_total{result=\"ok\"}"), text);
      assertEquals(1, sample(text, "switchboard_signals_relayed_total{kind=\"offer\"}"), text);
      assertEquals(1, sample(text, "switchboard_signals_refused_total{reason=\"unknown_peer\"}"), text);
      assertEquals(1, sample(text, "switchboard_signal_delivery_seconds_count"), text);
      assertTrue(text.contains("switchboard_signal_delivery_seconds_bucket{le="), "latency histogram");
      assertTrue(!get(vertx, node.port(), "/metrics").getValue().contains("switchboard_"),
          "metrics must not be served on the public port");
    }
  }

  @Test
  void a_heartbeat_timeout_is_counted(Vertx vertx) {
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_CHANNEL_IDLE_TIMEOUT_SECONDS", "1"));
         TestClient a = node.connect()) {
      a.awaitClose(Duration.ofSeconds(4));
      // the close reaches the client before the counter may be updated: scrape until it shows the timeout
      String timeouts = "switchboard_heartbeat_timeouts_total";
      long deadline = System.currentTimeMillis() + 2000;
      String scrape = get(vertx, node.node().metricsPort(), "/metrics").getValue();
      while (find(scrape, timeouts).orElse(0) == 0 && System.currentTimeMillis() < deadline) {
        sleep(50);
        scrape = get(vertx, node.node().metricsPort(), "/metrics").getValue();
      }
      assertEquals(1, sample(scrape, timeouts), scrape);
      String after = get(vertx, node.node().metricsPort(), "/metrics").getValue();
      assertEquals(0, sample(after, "switchboard_sockets_connected"), after);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}

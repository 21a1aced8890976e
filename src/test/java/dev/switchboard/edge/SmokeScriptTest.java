package dev.switchboard.edge;

import dev.switchboard.support.CaddyProcess;
import dev.switchboard.support.CoturnProcess;
import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.ExternalProcess.Result;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/smoke.sh against nodes started by the test: direct, through Caddy's HTTPS, and unreachable. */
@ExtendWith(VertxExtension.class)
class SmokeScriptTest {

  private static Result smoke(String baseUrl, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("scripts/smoke.sh", baseUrl).redirectErrorStream(true);
    builder.environment().putAll(env);
    return ExternalProcess.run(builder, Duration.ofSeconds(60));
  }

  @Test
  void smoke_passes_against_a_node_over_http(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.start(vertx)) {
      Result run = smoke("http://localhost:" + node.port(), Map.of());
      assertEquals(0, run.exit(), run.output());
      for (String step : new String[] {"health", "web-app", "signaling", "ice"}) {
        assertTrue(run.output().contains("PASS " + step), run.output());
      }
    }
  }

  @Test
  void smoke_passes_through_caddy_https(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.start(vertx); CaddyProcess caddy = CaddyProcess.start("127.0.0.1:" + node.port())) {
      Result run = smoke("https://localhost:" + caddy.httpsPort(), Map.of("SMOKE_INSECURE", "1"));
      assertEquals(0, run.exit(), run.output());
      assertTrue(run.output().contains("PASS signaling"), run.output());
    }
  }

  @Test
  void smoke_allocates_on_a_coturn_fleet_with_the_credentials_the_node_hands_out(Vertx vertx) throws Exception {
    try (CoturnProcess coturn = CoturnProcess.start("fleet-secret");
         TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_SECRET", "fleet-secret",
             "SWITCHBOARD_TURN_URIS", coturn.uris()))) {
      Result run = smoke("http://localhost:" + node.port(), Map.of("SMOKE_REQUIRE_TURN", "1"));
      assertEquals(0, run.exit(), run.output());
      assertTrue(run.output().contains("PASS turn       turn:127.0.0.1:" + coturn.port() + "?transport=udp: relayed address 127.0.0.1:"),
          run.output());
      assertTrue(run.output().contains("PASS turn       turn:127.0.0.1:" + coturn.port() + "?transport=tcp: relayed address"),
          run.output());
    }
  }

  @Test
  void smoke_fails_when_the_turn_server_refuses_the_handed_out_credentials(Vertx vertx) throws Exception {
    try (CoturnProcess coturn = CoturnProcess.start("fleet-secret");
         TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_SECRET", "not-the-fleet-secret",
             "SWITCHBOARD_TURN_URIS", coturn.uris()))) {
      Result run = smoke("http://localhost:" + node.port(), Map.of());
      assertEquals(1, run.exit(), run.output());
      assertTrue(run.output().contains("FAIL turn") && run.output().contains("401"), run.output());
    }
  }

  @Test
  void smoke_fails_with_a_line_per_step_when_nothing_answers() throws Exception {
    Result run = smoke("http://127.0.0.1:" + TestNode.freePort(), Map.of());
    assertEquals(1, run.exit(), run.output());
    assertTrue(run.output().contains("FAIL health"), run.output());
    assertTrue(run.output().contains("FAIL signaling"), run.output());
  }

  @Test
  void smoke_allocates_on_the_built_in_relay(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.start(vertx)) {
      Result run = smoke("http://localhost:" + node.port(), Map.of("SMOKE_REQUIRE_TURN", "1"));
      assertEquals(0, run.exit(), run.output());
      assertTrue(run.output().contains("PASS turn       turn:127.0.0.1:" + node.node().turnPort() + "?transport=udp"),
          run.output());
      assertTrue(run.output().contains("?transport=tcp: relayed address"), run.output());
    }
  }

  @Test
  void smoke_fails_when_turn_is_required_and_none_is_handed_out(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_RELAY_ENABLED", "false"))) {
      Result run = smoke("http://localhost:" + node.port(), Map.of("SMOKE_REQUIRE_TURN", "1"));
      assertEquals(1, run.exit(), run.output());
      assertTrue(run.output().contains("FAIL turn"), run.output());
    }
  }
}

package dev.switchboard;

import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.JavaProcess;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node as an operator runs it: a separate JVM started through Main. */
@ExtendWith(VertxExtension.class)
class MainProcessTest {

  /** Main in its own JVM; stdout and stderr are drained separately, so the assertions below read stderr alone. */
  private static ExternalProcess launch(Map<String, String> env) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(JavaProcess.command(Main.class));
    builder.environment().putAll(env);
    return ExternalProcess.start(builder);
  }

  /** Main run to its exit, which these cases expect within 30 s. */
  private static ExternalProcess.Result run(Map<String, String> env) throws IOException, InterruptedException {
    try (ExternalProcess process = launch(env)) {
      return process.await(Duration.ofSeconds(30));
    }
  }

  @Test
  void sigterm_closes_sockets_with_1001_and_the_process_exits(Vertx vertx) throws Exception {
    int port = TestNode.freePort();
    try (ExternalProcess process = launch(Map.of("SWITCHBOARD_HTTP_HOST", "127.0.0.1",
        "SWITCHBOARD_HTTP_PORT", String.valueOf(port), "SWITCHBOARD_METRICS_PORT", "0", "SWITCHBOARD_TURN_PORT", "0", "SWITCHBOARD_MEDIA_PORT", "0"))) {
      String banner = process.awaitLine(l -> !l.isBlank(), "a banner", Duration.ofSeconds(30));
      assertTrue(banner.contains("is up"), "banner: " + banner);
      try (TestClient a = TestClient.connect(vertx, port, "/socket/websocket?vsn=2.0.0", Map.of())) {
        a.enter("r1");
        process.terminate(); // SIGTERM
        assertEquals(1001, a.awaitClose(Duration.ofSeconds(10)));
      }
      ExternalProcess.Result exited = process.await(Duration.ofSeconds(15)); // fails: "did not finish within 15 s"
      assertEquals("", exited.stderr().lines().filter(l -> l.contains("unclean") || l.contains("Exception"))
          .reduce("", String::concat));
    }
  }

  @Test
  void a_port_in_use_is_one_clear_line_and_exit_1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      ExternalProcess.Result run = run(Map.of("SWITCHBOARD_HTTP_HOST", "127.0.0.1",
          "SWITCHBOARD_HTTP_PORT", String.valueOf(taken.getLocalPort()), "SWITCHBOARD_METRICS_PORT", "0", "SWITCHBOARD_TURN_PORT", "0", "SWITCHBOARD_MEDIA_PORT", "0"));
      String err = run.stderr().trim();
      assertEquals(1, run.exit(), err);
      List<String> lines = err.lines().filter(l -> l.startsWith("switchboard:")).toList();
      assertEquals(1, lines.size(), err);
      assertTrue(lines.get(0).contains(taken.getLocalPort() + " is not available"), err);
    }
  }

  @Test
  void a_taken_turn_port_is_named_as_such_in_one_line_and_exit_1() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      ExternalProcess.Result run = run(Map.of("SWITCHBOARD_HTTP_HOST", "127.0.0.1", "SWITCHBOARD_HTTP_PORT", "0",
          "SWITCHBOARD_METRICS_PORT", "0", "SWITCHBOARD_MEDIA_PORT", "0", "SWITCHBOARD_TURN_LISTEN_IP", "127.0.0.1",
          "SWITCHBOARD_TURN_PORT", String.valueOf(taken.getLocalPort())));
      String err = run.stderr().trim();
      assertEquals(1, run.exit(), err);
      List<String> lines = err.lines().filter(l -> l.startsWith("switchboard:")).toList();
      assertEquals(1, lines.size(), err);
      assertTrue(lines.get(0).contains("127.0.0.1:" + taken.getLocalPort() + " (udp+tcp) is not available"), err);
      assertTrue(lines.get(0).contains("SWITCHBOARD_TURN_PORT"), err);
    }
  }

  @Test
  void a_bad_config_value_is_one_clear_line_and_exit_2() throws Exception {
    ExternalProcess.Result run = run(Map.of("SWITCHBOARD_ROOMS_MAX_PEERS", "lots"));
    String err = run.stderr().trim();
    assertEquals(2, run.exit(), err);
    assertEquals("switchboard: configuration error: SWITCHBOARD_ROOMS_MAX_PEERS=lots: rooms.max-peers must be a number",
        err.lines().filter(l -> l.startsWith("switchboard:")).findFirst().orElse(err));
  }
}

package dev.switchboard;

import dev.switchboard.support.JavaProcess;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node as an operator runs it: a separate JVM started through Main. */
@ExtendWith(VertxExtension.class)
class MainProcessTest {

  private static Process launch(Map<String, String> env) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(JavaProcess.command(Main.class));
    builder.environment().putAll(env);
    Path errors = Files.createTempFile("switchboard-stderr", ".log");
    builder.redirectError(errors.toFile());
    Process process = builder.start();
    STDERR.put(process, errors);
    return process;
  }

  private static final Map<Process, Path> STDERR = new java.util.concurrent.ConcurrentHashMap<>();

  /** Everything the process wrote to stderr (read from a file: destroy() closes the pipes). */
  private static String stderr(Process process) throws IOException {
    return Files.readString(STDERR.get(process), StandardCharsets.UTF_8).trim();
  }

  @Test
  void sigterm_closes_sockets_with_1001_and_the_process_exits(Vertx vertx) throws Exception {
    int port = TestNode.freePort();
    Process process = launch(Map.of("SWITCHBOARD_HTTP_HOST", "127.0.0.1", "SWITCHBOARD_HTTP_PORT", String.valueOf(port),
        "SWITCHBOARD_METRICS_PORT", "0", "SWITCHBOARD_TURN_PORT", "0"));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      String banner = out.readLine();
      assertTrue(banner != null && banner.contains("is up"), "banner: " + banner);
      try (TestClient a = TestClient.connect(vertx, port, "/socket/websocket?vsn=2.0.0", Map.of())) {
        a.enter("r1");
        process.destroy(); // SIGTERM
        assertEquals(1001, a.awaitClose(Duration.ofSeconds(10)));
      }
      assertTrue(process.waitFor(15, TimeUnit.SECONDS), "did not exit after SIGTERM");
      assertEquals("", stderr(process).lines().filter(l -> l.contains("unclean") || l.contains("Exception"))
          .reduce("", String::concat));
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void a_port_in_use_is_one_clear_line_and_exit_1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Process process = launch(Map.of("SWITCHBOARD_HTTP_HOST", "127.0.0.1",
          "SWITCHBOARD_HTTP_PORT", String.valueOf(taken.getLocalPort()), "SWITCHBOARD_METRICS_PORT", "0", "SWITCHBOARD_TURN_PORT", "0"));
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
      String err = stderr(process);
      assertEquals(1, process.exitValue(), err);
      List<String> lines = err.lines().filter(l -> l.startsWith("switchboard:")).toList();
      assertEquals(1, lines.size(), err);
      assertTrue(lines.get(0).contains(taken.getLocalPort() + " is not available"), err);
    }
  }

  @Test
  void a_taken_turn_port_is_named_as_such_in_one_line_and_exit_1() throws Exception {
    try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      Process process = launch(Map.of("SWITCHBOARD_HTTP_HOST", "127.0.0.1", "SWITCHBOARD_HTTP_PORT", "0",
          "SWITCHBOARD_METRICS_PORT", "0", "SWITCHBOARD_TURN_LISTEN_IP", "127.0.0.1",
          "SWITCHBOARD_TURN_PORT", String.valueOf(taken.getLocalPort())));
      assertTrue(process.waitFor(30, TimeUnit.SECONDS));
      String err = stderr(process);
      assertEquals(1, process.exitValue(), err);
      List<String> lines = err.lines().filter(l -> l.startsWith("switchboard:")).toList();
      assertEquals(1, lines.size(), err);
      assertTrue(lines.get(0).contains("127.0.0.1:" + taken.getLocalPort() + " (udp+tcp) is not available"), err);
      assertTrue(lines.get(0).contains("SWITCHBOARD_TURN_PORT"), err);
    }
  }

  @Test
  void a_bad_config_value_is_one_clear_line_and_exit_2() throws Exception {
    Process process = launch(Map.of("SWITCHBOARD_ROOMS_MAX_PEERS", "lots"));
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    String err = stderr(process);
    assertEquals(2, process.exitValue(), err);
    assertEquals("switchboard: configuration error: SWITCHBOARD_ROOMS_MAX_PEERS=lots: rooms.max-peers must be a number",
        err.lines().filter(l -> l.startsWith("switchboard:")).findFirst().orElse(err));
  }
}

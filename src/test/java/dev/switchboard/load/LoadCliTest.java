package dev.switchboard.load;

import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code switchboard.jar load ...} run in-process: its argument errors, and each scenario's summary
 * against a real node (in open mode, and in token mode with per-peer tokens).
 */
@Timeout(60)
class LoadCliTest {
  private static final String SECRET = "load-cli-test-secret-of-at-least-32-bytes";
  private static Vertx vertx;
  private static TestNode node;

  private record Outcome(int status, String out, String err) {
    JsonObject json() {
      return new JsonObject(out.strip());
    }

    String firstErrorLine() {
      return err.lines().findFirst().orElse("");
    }
  }

  @BeforeAll
  static void startNode() {
    vertx = Vertx.vertx();
    // a load run comes from one address: the per-address caps are raised as the CLI's --help says
    node = TestNode.start(vertx, Map.of("SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP", "10000",
        "SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND", "100000", "SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST", "100000"));
  }

  @AfterAll
  static void stopNode() throws Exception {
    node.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static Outcome load(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = LoadCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new CountDownLatch(1));
    return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String url(TestNode target) {
    return "ws://127.0.0.1:" + target.port() + "/socket/websocket";
  }

  private static void assertUsageError(String expected, String... args) {
    Outcome outcome = load(args);
    assertEquals(2, outcome.status(), outcome.err());
    assertEquals("load: " + expected, outcome.firstErrorLine());
    assertTrue(outcome.err().contains("--help"), "a hint at --help: " + outcome.err());
    assertEquals("", outcome.out(), "nothing on stdout");
  }

  @Test
  void help_lists_every_option_and_exits_0() {
    Outcome outcome = load("--help");
    assertEquals(0, outcome.status());
    for (String option : List.of("--url", "--insecure", "--token", "--token-secret", "--origin", "--sockets", "--room-size",
        "--duration", "--heartbeat", "--connect-rate", "--source-ips", "--server-pid", "--room-prefix", "--id-offset",
        "--report-at", "--report-seconds", "--server-heap", "--span-url", "--span-every", "--pairs", "--rate", "--window", "--background", "--event-loops", "--json",
        "--no-progress", "SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP")) {
      assertTrue(outcome.out().contains(option), "--help mentions " + option);
    }
  }

  @Test
  void an_unknown_scenario_is_an_argument_error() {
    assertUsageError("unknown scenario: flood (expected idle, relay, churn or rtt)", "flood");
  }

  @Test
  void no_scenario_is_an_argument_error() {
    assertUsageError("no scenario given: expected one of idle, relay, churn, rtt");
  }

  @Test
  void an_unknown_option_is_an_argument_error() {
    assertUsageError("unknown option: --socket", "idle", "--socket", "5");
  }

  @Test
  void an_option_without_its_value_is_an_argument_error() {
    assertUsageError("--sockets needs a value", "idle", "--sockets");
  }

  @Test
  void a_value_that_is_not_a_number_is_an_argument_error() {
    assertUsageError("--sockets must be a whole number, found: many", "idle", "--sockets", "many");
  }

  @Test
  void a_value_out_of_range_is_an_argument_error() {
    assertUsageError("--window must be between 1 and 1024, found: 5000", "relay", "--window=5000");
  }

  @Test
  void a_url_that_is_not_ws_or_wss_is_an_argument_error() {
    assertUsageError("--url must start with ws:// or wss://, found: http://127.0.0.1:4000/socket/websocket",
        "idle", "--url", "http://127.0.0.1:4000/socket/websocket");
  }

  @Test
  void a_bad_source_address_range_is_an_argument_error() {
    assertUsageError("--source-ips: not an IPv4 address: 127.0.0.300", "idle", "--source-ips", "127.0.0.1-127.0.0.300");
  }

  @Test
  void a_token_and_a_token_secret_together_are_an_argument_error() {
    assertUsageError("--token and --token-secret exclude each other: one token for all, or one minted per peer",
        "idle", "--token", "t", "--token-secret", "k1:" + SECRET);
  }

  @Test
  void a_short_token_secret_is_an_argument_error() {
    Outcome outcome = load("idle", "--token-secret", "k1:short", "--url", url(node));
    assertEquals(2, outcome.status(), outcome.err());
    assertTrue(outcome.firstErrorLine().startsWith("load: --token-secret: "), outcome.err());
  }

  @Test
  void server_heap_without_a_server_pid_is_an_argument_error() {
    assertUsageError("--server-heap needs --server-pid", "idle", "--server-heap");
  }

  @Test
  void report_at_outside_idle_is_an_argument_error() {
    assertUsageError("--report-at applies to the idle scenario only", "relay", "--report-at", "10");
  }

  @Test
  void a_server_pid_that_does_not_exist_is_an_argument_error() {
    assertUsageError("--server-pid 999999999: no such process on this host", "idle", "--server-pid", "999999999");
  }

  @Test
  void idle_joins_every_socket_and_reports_a_row_per_milestone() {
    long pid = ProcessHandle.current().pid();
    Outcome outcome = load("idle", "--url", url(node), "--sockets", "20", "--room-size", "5", "--duration", "2",
        "--heartbeat", "1", "--report-at", "10,20", "--report-seconds", "1", "--server-pid", String.valueOf(pid), "--server-heap",
        "--room-prefix", "idle-spec", "--json", "--no-progress");
    assertEquals(0, outcome.status(), outcome.out() + outcome.err());
    JsonObject summary = outcome.json();
    assertEquals(20, summary.getLong("connected"));
    assertEquals(20, summary.getLong("joined"));
    assertEquals(0, summary.getLong("errors"), summary.encode());
    assertTrue(summary.getJsonObject("heartbeat_rtt_ms").getLong("count") > 0, "heartbeats were timed");
    JsonArray milestones = summary.getJsonArray("milestones");
    assertEquals(2, milestones.size());
    assertEquals(10, milestones.getJsonObject(0).getLong("sockets"));
    assertEquals(20, milestones.getJsonObject(1).getLong("open"));
    assertTrue(milestones.getJsonObject(1).getLong("signal_samples") > 0, "signal round trips between two joined peers");
    assertTrue(summary.getJsonObject("server").getDouble("rss_mb") > 0, "the server's RSS, read from /proc");
    assertTrue(milestones.getJsonObject(1).getDouble("server_live_heap_mb") > 0, "the server's live heap, from jcmd");
  }

  @Test
  void relay_loses_nothing_it_was_told_was_delivered() {
    Outcome outcome = load("relay", "--url", url(node), "--pairs", "3", "--duration", "2", "--window", "20",
        "--room-prefix", "relay-spec", "--json", "--no-progress");
    assertEquals(0, outcome.status(), outcome.out() + outcome.err());
    JsonObject summary = outcome.json();
    assertEquals(6, summary.getLong("joined"));
    assertEquals(3, summary.getLong("pairs_signalling"));
    assertTrue(summary.getLong("delivered") > 0, "signals were relayed");
    assertEquals(summary.getLong("signals_ok"), summary.getLong("delivered"), "every acknowledged signal arrived");
    assertEquals(0, summary.getLong("lost"));
    assertEquals(0, summary.getLong("duplicates"));
    assertEquals(0, summary.getLong("out_of_order"));
    assertEquals(0, summary.getLong("errors"), summary.encode());
  }

  @Test
  void relay_at_a_set_rate_sends_about_that_many() {
    Outcome outcome = load("relay", "--url", url(node), "--pairs", "2", "--rate", "50", "--duration", "2",
        "--room-prefix", "rate-spec", "--json", "--no-progress");
    assertEquals(0, outcome.status(), outcome.out() + outcome.err());
    long sent = outcome.json().getLong("signals_sent");
    // 2 pairs x 50/s x 2 s = 200, give or take a tick at either end
    assertTrue(sent >= 150 && sent <= 210, "signals sent at --rate: " + sent);
  }

  @Test
  void churn_completes_its_cycles() {
    Outcome outcome = load("churn", "--url", url(node), "--rate", "20", "--duration", "2", "--room-prefix", "churn-spec",
        "--json", "--no-progress");
    assertEquals(0, outcome.status(), outcome.out() + outcome.err());
    JsonObject summary = outcome.json();
    assertTrue(summary.getLong("cycles_completed") >= 30, summary.encode());
    assertEquals(summary.getLong("cycles_started"), summary.getLong("cycles_completed"));
    assertEquals(0, summary.getLong("open_at_end"), "every churned socket was closed");
    assertEquals(0, summary.getLong("errors"), summary.encode());
  }

  @Test
  void rtt_measures_round_trips_under_its_background() {
    Outcome outcome = load("rtt", "--url", url(node), "--background", "10", "--duration", "2", "--room-prefix", "rtt-spec",
        "--json", "--no-progress");
    assertEquals(0, outcome.status(), outcome.out() + outcome.err());
    JsonObject summary = outcome.json();
    assertEquals(12, summary.getLong("joined"));
    assertTrue(summary.getLong("round_trips") > 10, summary.encode());
    assertTrue(summary.getJsonObject("rtt_ms").getDouble("p50") > 0);
    assertEquals(0, summary.getLong("errors"), summary.encode());
  }

  @Test
  void the_table_summary_and_the_errors_exit_status() {
    // a node that admits at most 3 sockets per address: the rest are refused, which is an error (exit 1)
    // a node of its own Vert.x: two nodes on one event bus would answer each other's registry requests
    Vertx own = Vertx.vertx();
    try (TestNode capped = TestNode.start(own, Map.of("SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP", "3"))) {
      Outcome outcome = load("idle", "--url", url(capped), "--sockets", "5", "--duration", "1", "--no-progress");
      assertEquals(1, outcome.status(), outcome.out() + outcome.err());
      assertTrue(outcome.out().startsWith("load summary"), outcome.out());
      assertTrue(outcome.out().matches("(?s).*\\n  joined +3\\n.*"), outcome.out());
      assertTrue(outcome.out().matches("(?s).*error_reasons\\.connect_refused: HTTP 429.* +2\\n.*"), outcome.out());
    } finally {
      own.close();
    }
  }

  @Test
  void token_secret_mints_a_token_per_peer_that_a_token_mode_node_admits() {
    Vertx own = Vertx.vertx();
    try (TestNode tokenNode = TestNode.start(own, Map.of("SWITCHBOARD_AUTH_MODE", "token",
        "SWITCHBOARD_AUTH_KEYS", "k1:" + SECRET, "SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP", "10000",
        "SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND", "100000", "SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST", "100000"))) {
      Outcome outcome = load("relay", "--url", url(tokenNode), "--token-secret", "k1:" + SECRET, "--pairs", "2",
          "--duration", "1", "--json", "--no-progress");
      assertEquals(0, outcome.status(), outcome.out() + outcome.err());
      assertEquals(4, outcome.json().getLong("joined"));
      assertTrue(outcome.json().getLong("delivered") > 0);

      Outcome refused = load("idle", "--url", url(tokenNode), "--sockets", "2", "--duration", "1", "--json", "--no-progress");
      assertEquals(1, refused.status(), "without a token a token-mode node refuses every socket");
      assertEquals(2L, refused.json().getJsonObject("error_reasons").getLong("connect_refused: HTTP 403 {\"error\":\"unauthorized\"}"),
          refused.out());
    } finally {
      own.close();
    }
  }
}

package dev.switchboard.turn;

import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.ExternalProcess.Result;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** coturn's own client (turnutils_uclient) and echo peer (turnutils_peer) against Switchboard's relay. */
@ExtendWith(VertxExtension.class)
class CoturnClientInteropTest {
  private static final String SECRET = "interop-secret";
  private TestNode node;
  private ExternalProcess peer;
  private int peerPort;

  /** coturn's echo peer on 127.0.0.1:{@code port}, alive (its output drained all along). */
  static ExternalProcess echoPeer(int port) throws Exception {
    ExternalProcess peer = ExternalProcess.start(new ProcessBuilder("turnutils_peer", "-L", "127.0.0.1", "-p",
        String.valueOf(port)).redirectErrorStream(true));
    Thread.sleep(300);
    assertTrue(peer.isAlive(), () -> "turnutils_peer exited: " + peer.output());
    return peer;
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_SECRET", SECRET));
    peerPort = TestNode.freePort();
    peer = echoPeer(peerPort);
  }

  @AfterEach
  void stop() throws InterruptedException {
    try {
      peer.close();
    } finally {
      node.stop();
    }
  }

  private Result uclient(String... options) throws Exception {
    List<String> command = new ArrayList<>(List.of("turnutils_uclient", "-p", String.valueOf(node.node().turnPort())));
    command.addAll(Arrays.asList(options));
    command.add("127.0.0.1");
    return ExternalProcess.run(new ProcessBuilder(command).redirectErrorStream(true), Duration.ofSeconds(60));
  }

  /** "-c" single allocations; "" RTP/RTCP pairs (EVEN-PORT + RESERVATION-TOKEN); "-s" Send/Data indications; "-t" TCP. */
  @ParameterizedTest(name = "uclient {0}")
  @ValueSource(strings = {"-c", "-c -s", "-c -t", "-c -t -s", ""})
  void relays_every_message_with_rest_credentials(String mode) throws Exception {
    List<String> options = new ArrayList<>(List.of("-X", "-m", "2", "-n", "100", "-l", "120", "-z", "5",
        "-e", "127.0.0.1", "-r", String.valueOf(peerPort), "-W", SECRET));
    if (!mode.isBlank()) {
      options.addAll(Arrays.asList(mode.split(" ")));
    }
    Result run = uclient(options.toArray(String[]::new));
    assertEquals(0, run.exit(), run.output());
    assertTrue(run.output().contains("Total lost packets 0 (0.000000%)"), run.output());
    Matcher totals = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)").matcher(run.output());
    String sent = null;
    String received = null;
    while (totals.find()) {
      sent = totals.group(1);
      received = totals.group(2);
    }
    assertEquals("200", sent, run.output()); // 2 sessions (or one RTP/RTCP pair) x 100 messages
    assertEquals(sent, received, run.output());
  }

  @Test
  void a_wrong_secret_cannot_allocate() throws Exception {
    Result run = uclient("-X", "-c", "-m", "1", "-n", "5", "-e", "127.0.0.1", "-r", String.valueOf(peerPort),
        "-W", "not-the-secret");
    assertNotEquals(0, run.exit(), run.output());
    assertTrue(run.output().contains("Cannot complete Allocation"), run.output());
  }

  @Test
  void expired_credentials_cannot_allocate() throws Exception {
    TurnCredential expired = new TurnCredentials(List.of(SECRET), Duration.ofSeconds(60))
        .issue("late", null, System.currentTimeMillis() / 1000 - 3600);
    Result run = uclient("-X", "-c", "-m", "1", "-n", "5", "-e", "127.0.0.1", "-r", String.valueOf(peerPort),
        "-u", expired.username(), "-w", expired.password());
    assertNotEquals(0, run.exit(), run.output());
    assertTrue(run.output().contains("Cannot complete Allocation"), run.output());
  }

  @Test
  void relaying_to_a_denied_peer_fails() throws Exception {
    node.stop();
    node = TestNode.start(Vertx.vertx(), Map.of("SWITCHBOARD_TURN_SECRET", SECRET, "SWITCHBOARD_TURN_ALLOWED_PEERS", ""));
    Result run = uclient("-X", "-c", "-m", "1", "-n", "5", "-e", "127.0.0.1", "-r", String.valueOf(peerPort), "-W", SECRET);
    assertNotEquals(0, run.exit(), run.output());
    assertTrue(run.output().contains("403"), run.output());
  }
}

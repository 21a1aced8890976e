package dev.switchboard.webapp;

import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.LoopbackNamespace;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A relay-only call between two browsers on the app page, on a network where UDP to the relay and plain
 * TURN over TCP are dropped, so that TURN over TLS ({@code turns:}) is the only way through. Node and
 * browsers run in a loopback-only network namespace of their own, behind the iptables rules of
 * {@link TurnTlsCallScenario#FIREWALL}: nothing leaves the machine, and the rules touch nothing else.
 * The node hands out all its URLs (stun:, turn: over UDP and TCP, turns:); the network decides.
 */
class TurnTlsBrowserTest {

  private static JsonObject scenario(boolean tls, long connectMillis) throws Exception {
    ExternalProcess.Result run = ExternalProcess.run(LoopbackNamespace.java(TurnTlsCallScenario.FIREWALL,
        TurnTlsCallScenario.class, tls ? "tls" : "no-tls", String.valueOf(connectMillis)), Duration.ofSeconds(70));
    String output = run.output();
    System.out.println(output); // all of it in the -output.txt report: the node's, the scenario's, the pages'
    String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
    assertNotNull(line, () -> "the scenario printed no result (exit " + run.exit() + "):\n" + output);
    JsonObject result = new JsonObject(line.substring("RESULT ".length()));
    assertNull(result.getString("error"), () -> describe(result));
    assertEquals(0, run.exit(), () -> describe(result));
    return result;
  }

  /** What a failure shows: each page's view of the call, its own account and console, meters, firewall. */
  private static String describe(JsonObject result) {
    StringBuilder text = new StringBuilder();
    text.append("error: ").append(result.getString("error")).append("\nconnected after ms: ")
        .append(result.getValue("connectedAfterMillis")).append(" (timings ").append(result.getValue("timings"))
        .append(")\nfirst look: ").append(result.getValue("first"))
        .append("\nsecond look: ").append(result.getValue("second"));
    JsonArray pages = result.getJsonArray("pages", new JsonArray());
    for (int i = 0; i < pages.size(); i++) {
      text.append("\n--- page ").append(i).append(": ").append(pages.getJsonObject(i).getString("app"))
          .append("\n").append(pages.getJsonObject(i).getString("console"));
    }
    text.append("\n--- relay meters: ").append(result.getValue("metrics"))
        .append("\n--- iptables:\n").append(result.getString("iptables"))
        .append("\n--- ip6tables:\n").append(result.getString("ip6tables"));
    return text.toString();
  }

  /** The packet count of the OUTPUT rule whose listing line matches ({@code iptables -nvxL}), -1 if none. */
  private static long packets(String listing, Predicate<String> rule) {
    return listing.lines().map(String::trim).filter(l -> !l.isEmpty() && Character.isDigit(l.charAt(0)))
        .filter(rule).findFirst().map(l -> Long.parseLong(l.split("\\s+")[0])).orElse(-1L);
  }

  private static boolean udpDrop(String line) {
    String[] fields = line.split("\\s+");
    return fields[2].equals("DROP") && (fields[3].equals("17") || fields[3].equals("udp")) && !line.contains("dpt");
  }

  private static boolean plainTurnTcpDrop(String line) {
    return line.contains(" DROP ") && line.contains("dpt:" + TurnTlsCallScenario.TURN_PORT);
  }

  private static double meter(JsonObject result, String name) {
    Object value = result.getJsonObject("metrics", new JsonObject()).getValue(name);
    return value == null ? -1 : ((Number) value).doubleValue();
  }

  private static JsonObject peer(JsonObject result, String look, int browser) {
    JsonArray peers = result.getJsonArray(look).getJsonArray(browser);
    assertEquals(1, peers.size(), () -> "page " + browser + " sees the other party:\n" + describe(result));
    return peers.getJsonObject(0);
  }

  @Test
  @Timeout(value = 80, unit = TimeUnit.SECONDS)
  void relay_only_call_connects_over_turn_tls_when_udp_is_blocked() throws Exception {
    JsonObject result = scenario(true, 30_000);
    String why = describe(result);
    assertNotNull(result.getValue("connectedAfterMillis"), () -> "the call connected and decoded video:\n" + why);
    for (int browser = 0; browser < 2; browser++) {
      JsonObject first = peer(result, "first", browser);
      JsonObject second = peer(result, "second", browser);
      assertEquals("connected", second.getString("state"), why);
      assertEquals("relay", second.getString("candidateType"), () -> "a relayed path only:\n" + why);
      // the network leaves nothing else, so both sides reach the relay over TLS
      assertEquals("tls", second.getString("relayProtocol"), () -> "the selected local candidate is turns:\n" + why);
      assertTrue(second.getLong("framesDecoded") > first.getLong("framesDecoded"),
          () -> "frames keep being decoded on page " + first.getString("name") + "'s side:\n" + why);
      assertTrue(second.getLong("bytesReceived") > first.getLong("bytesReceived"), why);
    }
    // the relay saw it too: two TLS clients holding their connections, media both ways inside TLS, relayed
    assertTrue(meter(result, "switchboard_turn_tls_connections") >= 2, why);
    assertTrue(meter(result, "switchboard_turn_tls_received_bytes_total") > 50_000, why);
    assertTrue(meter(result, "switchboard_turn_tls_sent_bytes_total") > 50_000, why);
    assertTrue(meter(result, "switchboard_turn_relayed_packets_total") > 100, why);
    assertEquals(0.0, meter(result, "switchboard_turn_tcp_connections"), () -> "no plain TURN/TCP client:\n" + why);
    // and the browsers did try UDP and plain TCP to the relay first: the firewall dropped them
    String firewall = result.getString("iptables");
    assertTrue(packets(firewall, TurnTlsBrowserTest::udpDrop) > 0, () -> "UDP was tried and dropped:\n" + why);
    assertTrue(packets(firewall, TurnTlsBrowserTest::plainTurnTcpDrop) > 0,
        () -> "TURN over plain TCP was tried and dropped:\n" + why);
  }

  /** The control: the same network and pages without the relay's TLS front never connect. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void without_the_tls_listener_the_same_blocked_network_leaves_the_call_unconnected() throws Exception {
    JsonObject result = scenario(false, 15_000);
    String why = describe(result);
    assertEquals(-1, result.getInteger("turnTlsPort"), () -> "no TLS front:\n" + why);
    assertNull(result.getValue("connectedAfterMillis"), () -> "the call must not connect:\n" + why);
    for (int browser = 0; browser < 2; browser++) {
      JsonObject seen = peer(result, "second", browser); // signalling works: each page has the other's connection
      assertNotEquals("connected", seen.getString("state"), why);
      assertEquals(0L, seen.getLong("framesDecoded"), why);
      assertEquals(0L, seen.getLong("localCandidates"), () -> "no relay candidate could be gathered:\n" + why);
    }
    assertEquals(0.0, meter(result, "switchboard_turn_relayed_packets_total"), why);
    assertEquals(0.0, meter(result, "switchboard_turn_allocations_active"), why);
    String firewall = result.getString("iptables");
    assertTrue(packets(firewall, TurnTlsBrowserTest::udpDrop) > 0, () -> "UDP was tried and dropped:\n" + why);
    assertTrue(packets(firewall, TurnTlsBrowserTest::plainTurnTcpDrop) > 0,
        () -> "TURN over plain TCP was tried and dropped:\n" + why);
  }
}

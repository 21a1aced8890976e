package dev.switchboard.gateway;

import dev.switchboard.support.RawWebSocket;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.netty.util.internal.PlatformDependent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that behave as an attacker or a broken network would: every byte from the network is hostile, and
 * what one socket can make the server hold is bounded whatever it sends or fails to read.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class AbusiveClientsTest {
  private static final long MIB = 1024 * 1024;

  private static long memoryInUse() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory() + PlatformDependent.usedDirectMemory();
  }

  @Test
  void a_client_that_floods_pings_and_never_reads_is_closed_and_server_memory_stays_bounded(Vertx vertx)
      throws Exception {
    try (TestNode node = TestNode.start(vertx)) {
      long before = memoryInUse();
      boolean dropped = false;
      try (RawWebSocket flooder = RawWebSocket.connect(node.port(), Map.of(), 4096)) {
        assertEquals(101, flooder.status());
        byte[] payload = new byte[125];
        long deadline = System.currentTimeMillis() + 8_000;
        try {
          while (System.currentTimeMillis() < deadline) {
            flooder.frame(RawWebSocket.PING, true, payload);
          }
        } catch (IOException closedByServer) {
          dropped = true;
        }
        long grown = memoryInUse() - before;
        assertTrue(grown < 64 * MIB, "one ping-flooding socket grew server memory by " + grown / MIB + " MiB");
        assertTrue(dropped || flooder.awaitDropped(10_000), "the flooding socket is dropped by the server");
      }
    }
  }

  /**
   * Frames to a socket are written without a flush and flushed once per run of event-loop tasks: the unflushed
   * ones count against its write queue all the same, so a target that never reads gets its deliveries refused
   * at the queue's limit and is cut off as a slow reader, however fast signals are sent at it.
   */
  @Test
  void a_target_that_never_reads_while_signals_flood_it_is_cut_off_and_server_memory_stays_bounded(Vertx vertx)
      throws Exception {
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_CHANNEL_SLOW_READER_SECONDS", "1",
        "SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND", "100000", "SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST", "100000"));
         RawWebSocket stalled = RawWebSocket.connect(node.port(), Map.of(), 4096);
         TestClient sender = node.connect()) {
      long before = memoryInUse();
      stalled.text(new io.vertx.core.json.JsonArray().add("1").add("1").add("room:flooded").add("phx_join")
          .add(new JsonObject()).encode());
      io.vertx.core.json.JsonArray present = sender.enter("flooded").getJsonArray("peers");
      // enter() may have skipped past the peer:joined while it awaited its own replies: the history has it
      String target = !present.isEmpty() ? present.getString(0)
          : sender.count(TestClient.event("room:flooded", "peer:joined")) > 0
          ? sender.history(TestClient.event("room:flooded", "peer:joined")).get(0).getJsonObject(4).getString("peer_id")
          : sender.awaitEvent("room:flooded", "peer:joined").getJsonObject(4).getString("peer_id");
      String body = "x".repeat(10_000);
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline && sender.count(f -> "peer:left".equals(f.getString(3))) == 0) {
        for (int i = 0; i < 5; i++) {
          sender.sendAsync(new io.vertx.core.json.JsonArray().add(sender.joinRef("room:flooded")).add(sender.nextRef())
              .add("room:flooded").add("signal:offer").add(new JsonObject().put("to", target).put("body", body))
              .encode());
        }
        Thread.sleep(5); // about 10 MB/s: the node reads it all, so nothing piles up in the test's own client
      }
      long grown = memoryInUse() - before;
      assertEquals(target, sender.awaitEvent("room:flooded", "peer:left").getJsonObject(4).getString("peer_id"),
          "the target that never reads leaves its room");
      assertTrue(grown < 64 * MIB, "a socket that never reads grew server memory by " + grown / MIB + " MiB");
      assertTrue(stalled.awaitDropped(15_000), "the server drops the connection although the client never reads");
    }
  }

  @Test
  void an_unfinished_fragmented_message_above_the_frame_limit_closes_the_socket_with_1009(Vertx vertx)
      throws Exception {
    try (TestNode node = TestNode.start(vertx); RawWebSocket client = RawWebSocket.connect(node.port())) {
      byte[] part = new byte[32 * 1024];
      java.util.Arrays.fill(part, (byte) ' ');
      client.frame(RawWebSocket.TEXT, false, part);
      for (int i = 0; i < 8; i++) {
        client.frame(RawWebSocket.CONTINUATION, false, part);
      }
      assertEquals(1009, client.awaitCloseCode(5_000), "the transport limit (256 KiB) bounds reassembly");
      assertTrue(client.awaitDropped(10_000));
    }
  }

  @Test
  void sockets_beyond_the_per_address_cap_are_refused_with_429_before_the_upgrade(Vertx vertx) throws Exception {
    List<RawWebSocket> open = new ArrayList<>();
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP", "3"))) {
      for (int i = 0; i < 3; i++) {
        open.add(RawWebSocket.connect(node.port()));
        assertEquals(101, open.get(i).status());
      }
      try (RawWebSocket refused = RawWebSocket.connect(node.port())) {
        assertEquals(429, refused.status());
      }
      // behind the trusted proxy (loopback by default) each forwarded client has its own share
      Map<String, String> forwarded = Map.of("X-Forwarded-For", "198.51.100.9, 203.0.113.7");
      for (int i = 0; i < 3; i++) {
        open.add(RawWebSocket.connect(node.port(), forwarded, 0));
        assertEquals(101, open.get(open.size() - 1).status());
      }
      try (RawWebSocket refused = RawWebSocket.connect(node.port(), forwarded, 0)) {
        assertEquals(429, refused.status(), "203.0.113.7 has used its share");
      }
      // a slot comes back when its socket is gone
      open.remove(0).close();
      long deadline = System.currentTimeMillis() + 5_000;
      int status = 0;
      while (status != 101 && System.currentTimeMillis() < deadline) {
        try (RawWebSocket again = RawWebSocket.connect(node.port())) {
          status = again.status();
        }
        Thread.sleep(50);
      }
      assertEquals(101, status);
    } finally {
      open.forEach(RawWebSocket::close);
    }
  }

  @Test
  void a_forwarded_address_from_an_untrusted_peer_is_ignored(Vertx vertx) throws Exception {
    List<RawWebSocket> open = new ArrayList<>();
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_HTTP_TRUSTED_PROXIES", "10.0.0.0/8",
        "SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_IP", "2"))) {
      open.add(RawWebSocket.connect(node.port(), Map.of("X-Forwarded-For", "203.0.113.1"), 0));
      open.add(RawWebSocket.connect(node.port(), Map.of("X-Forwarded-For", "203.0.113.2"), 0));
      open.add(RawWebSocket.connect(node.port(), Map.of("X-Forwarded-For", "203.0.113.3"), 0));
      assertEquals(List.of(101, 101, 429), open.stream().map(RawWebSocket::status).toList(),
          "the header does not buy a client that is no trusted proxy another share");
    } finally {
      open.forEach(RawWebSocket::close);
    }
  }

  @Test
  void sockets_beyond_the_node_cap_are_refused_with_503(Vertx vertx) throws Exception {
    List<RawWebSocket> open = new ArrayList<>();
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_HTTP_MAX_CONNECTIONS", "2"))) {
      for (String client : List.of("203.0.113.1", "203.0.113.2", "203.0.113.3")) {
        open.add(RawWebSocket.connect(node.port(), Map.of("X-Forwarded-For", client), 0));
      }
      assertEquals(List.of(101, 101, 503), open.stream().map(RawWebSocket::status).toList());
    } finally {
      open.forEach(RawWebSocket::close);
    }
  }
}

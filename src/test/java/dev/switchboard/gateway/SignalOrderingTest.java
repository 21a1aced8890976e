package dev.switchboard.gateway;

import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Per sender→target order and exactly-once delivery under concurrency: 50 peers × 1,000 signals. */
@ExtendWith(VertxExtension.class)
class SignalOrderingTest {
  private static final int PEERS = 50;
  private static final int ROOM_SIZE = 5;
  private static final int SIGNALS_PER_PEER = 1000;
  /** Clients and node share two cores here; this bounds a stall, it is not a speed target. */
  private static final Duration LOAD_WAIT = Duration.ofSeconds(60);

  @Test
  void fifty_peers_send_a_thousand_signals_each_all_delivered_in_order_once_to_the_right_peer(Vertx vertx) {
    Map<String, String> unlimited = Map.of("SWITCHBOARD_CHANNEL_RATE_LIMIT_MESSAGES_PER_SECOND", "10000000",
        "SWITCHBOARD_CHANNEL_RATE_LIMIT_BURST", "10000000", "SWITCHBOARD_HTTP_INSTANCES", "2");
    List<TestClient> clients = new ArrayList<>();
    try (TestNode node = TestNode.start(vertx, unlimited)) {
      for (int i = 0; i < PEERS; i++) {
        TestClient client = node.connect();
        clients.add(client);
        client.enter("order-" + (i / ROOM_SIZE));
      }
      // everyone sends to the other members of its room, round robin, all at once
      for (int s = 0; s < SIGNALS_PER_PEER; s++) {
        for (int i = 0; i < PEERS; i++) {
          TestClient sender = clients.get(i);
          int room = i / ROOM_SIZE;
          int offset = 1 + s % (ROOM_SIZE - 1);
          TestClient target = clients.get(room * ROOM_SIZE + (i % ROOM_SIZE + offset) % ROOM_SIZE);
          String topic = "room:order-" + room;
          sender.sendAsync(new JsonArray().add(sender.joinRef(topic)).add("s" + s).add(topic).add("signal:candidate")
              .add(new JsonObject().put("to", target.peerId())
                  .put("body", new JsonObject().put("seq", s).put("for", target.peerId()))).encode());
        }
      }
      // each peer is the target of 4 senders × 250 signals, and the sender of 1,000 pushes
      for (TestClient client : clients) {
        Map<String, Integer> lastSeqFrom = new HashMap<>();
        int received = 0;
        int replies = 0;
        while (received < SIGNALS_PER_PEER || replies < SIGNALS_PER_PEER) {
          JsonArray frame = client.next(LOAD_WAIT);
          if ("phx_reply".equals(frame.getString(3))) {
            assertEquals("ok", frame.getJsonObject(4).getString("status"), frame::encode);
            replies++;
            continue;
          }
          if (!"signal:candidate".equals(frame.getString(3))) {
            continue;
          }
          JsonObject payload = frame.getJsonObject(4);
          JsonObject body = payload.getJsonObject("body");
          assertEquals(client.peerId(), body.getString("for"), "delivered to the wrong peer");
          assertEquals("peer:" + client.peerId(), frame.getString(2));
          int seq = body.getInteger("seq");
          Integer previous = lastSeqFrom.put(payload.getString("from"), seq);
          if (previous != null) {
            assertEquals(previous + ROOM_SIZE - 1, seq, "out of order or duplicated from " + payload.getString("from"));
          }
          received++;
        }
        assertEquals(ROOM_SIZE - 1, lastSeqFrom.size());
        client.expectSilence(Duration.ofMillis(20), f -> f.getString(3).startsWith("signal:"));
      }
      // over everything each client ever received (also what the loop above skipped, and any late duplicate)
      for (TestClient client : clients) {
        assertEverySignalOnceInOrder(client);
      }
    } finally {
      clients.forEach(TestClient::close);
    }
  }

  /**
   * The client's whole history holds exactly the signals meant for it: from each of the other 4 members
   * the 250 sequence numbers of one residue class, each once and in order; and one ok reply per push.
   */
  private static void assertEverySignalOnceInOrder(TestClient client) {
    List<JsonArray> signals = client.history(f -> f.getString(3).startsWith("signal:"));
    assertEquals(SIGNALS_PER_PEER, signals.size(), () -> "signals ever delivered to " + client.peerId());
    Map<String, List<Integer>> seqsFrom = new LinkedHashMap<>();
    for (JsonArray frame : signals) {
      assertEquals("signal:candidate", frame.getString(3), frame::encode);
      assertEquals("peer:" + client.peerId(), frame.getString(2), frame::encode);
      JsonObject payload = frame.getJsonObject(4);
      assertEquals(client.peerId(), payload.getJsonObject("body").getString("for"), "delivered to the wrong peer");
      seqsFrom.computeIfAbsent(payload.getString("from"), from -> new ArrayList<>())
          .add(payload.getJsonObject("body").getInteger("seq"));
    }
    assertEquals(ROOM_SIZE - 1, seqsFrom.size(), () -> "senders " + seqsFrom.keySet());
    int stride = ROOM_SIZE - 1;
    for (Map.Entry<String, List<Integer>> from : seqsFrom.entrySet()) {
      int first = from.getValue().get(0);
      assertTrue(first < stride, () -> "first seq from " + from.getKey() + " is " + first);
      List<Integer> expected = IntStream.iterate(first, seq -> seq + stride).limit(SIGNALS_PER_PEER / stride)
          .boxed().toList();
      assertEquals(expected, from.getValue(), () -> "each seq from " + from.getKey() + " once, in order");
    }
    List<JsonArray> replies = client.history(f -> "phx_reply".equals(f.getString(3))
        && f.getString(1) != null && f.getString(1).startsWith("s"));
    assertEquals(SIGNALS_PER_PEER, replies.size(), "one reply per push");
    for (JsonArray reply : replies) {
      assertEquals("ok", reply.getJsonObject(4).getString("status"), reply::encode);
    }
    assertEquals(SIGNALS_PER_PEER, replies.stream().map(r -> r.getString(1)).distinct().count(), "no reply twice");
  }
}

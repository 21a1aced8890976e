package dev.switchboard.gateway;

import dev.switchboard.support.BusRegistrations;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a joined peer costs the event bus: its one cluster-reachable address (targeted signals from other
 * nodes, kicks, resume hand-overs, ICE requests, media pushes), and nothing per peer besides.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class PeerAddressCostTest {
  private static final int PEERS = 40;
  private static final int ROOM_SIZE = 5;

  @Test
  void a_joined_peer_costs_one_event_bus_registration_and_a_room_one_per_gateway_instance(Vertx vertx) {
    List<TestClient> clients = new ArrayList<>();
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_HTTP_INSTANCES", "2"))) {
      int idle = BusRegistrations.total(vertx);
      for (int i = 0; i < PEERS; i++) {
        TestClient client = node.connect();
        clients.add(client);
        client.enter("cost-" + (i / ROOM_SIZE));
      }
      Map<String, Integer> byAddress = BusRegistrations.byAddress(vertx);
      int added = BusRegistrations.total(vertx) - idle;
      long peerAddresses = byAddress.keySet().stream().filter(a -> a.startsWith("switchboard.peer.")).count();
      long roomAddresses = byAddress.keySet().stream().filter(a -> a.startsWith("switchboard.room.")).count();
      int roomHandlers = byAddress.entrySet().stream().filter(e -> e.getKey().startsWith("switchboard.room."))
          .mapToInt(Map.Entry::getValue).sum();
      System.out.printf("event-bus handlers: %d idle, +%d for %d joined peers in %d rooms (%.2f per peer); "
          + "%d peer addresses, %d room handlers%n", idle, added, PEERS, PEERS / ROOM_SIZE, (double) added / PEERS,
          peerAddresses, roomHandlers);
      assertEquals(PEERS, peerAddresses, "every peer keeps its own address");
      assertEquals(PEERS / ROOM_SIZE, roomAddresses);
      assertTrue(roomHandlers <= 2 * roomAddresses, "a room costs at most one consumer per gateway instance");
      assertEquals(PEERS + roomHandlers, added, () -> "nothing else per peer: " + byAddress);
    } finally {
      clients.forEach(TestClient::close);
    }
  }
}

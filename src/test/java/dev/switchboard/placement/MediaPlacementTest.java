package dev.switchboard.placement;

import io.vertx.core.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which node serves a room's media, without Vert.x or Redis: the record in a map, the cluster view a set. */
@Timeout(10)
class MediaPlacementTest {
  /** The record as Redis keeps it: set once while the room has members, replaced only from the lost owner. */
  private static final class MapStore implements PlacementStore {
    final Map<String, String> owners = new HashMap<>();
    final Set<String> roomsWithMembers = new HashSet<>(List.of("r"));

    @Override
    public Future<String> claim(String room, String node) {
      if (!owners.containsKey(room) && !roomsWithMembers.contains(room)) {
        return Future.failedFuture(new MediaPlacement.PlacementUnavailable(room));
      }
      return Future.succeededFuture(owners.computeIfAbsent(room, r -> node));
    }

    @Override
    public Future<String> takeOver(String room, String lostOwner, String node) {
      String owner = owners.get(room);
      if (owner != null && !owner.equals(lostOwner)) {
        return Future.succeededFuture(owner);
      }
      owners.put(room, node);
      return Future.succeededFuture(node);
    }

    @Override
    public Future<String> owner(String room) {
      return Future.succeededFuture(owners.get(room));
    }
  }

  private final MapStore store = new MapStore();
  private final Set<String> cluster = new HashSet<>(List.of("a", "b", "c"));

  private MediaPlacement on(String node) {
    return new MediaPlacement(node, true, store, cluster::contains);
  }

  private static String owner(Future<String> owner) {
    assertTrue(owner.succeeded(), () -> "no owner: " + owner.cause());
    return owner.result();
  }

  @Test
  void the_first_media_request_claims_the_room_for_its_node_and_every_other_node_sends_there() {
    assertEquals("a", owner(on("a").ownerFor("r")));
    assertEquals("a", owner(on("b").ownerFor("r")), "b's participants negotiate with a");
    assertEquals("a", owner(on("c").ownerFor("r")));
    assertEquals(Map.of("r", "a"), store.owners);
  }

  @Test
  void a_room_whose_owner_left_the_cluster_moves_to_the_first_survivor_who_asks_and_stays_there() {
    owner(on("a").ownerFor("r"));
    cluster.remove("a");
    assertEquals("b", owner(on("b").ownerFor("r")), "b takes the room over");
    assertEquals("b", owner(on("c").ownerFor("r")), "c finds b, it does not take the room from a live owner");
    assertEquals("b", owner(on("b").ownerFor("r")));
  }

  @Test
  void a_survivor_that_lost_the_race_to_take_over_uses_the_winner() {
    owner(on("a").ownerFor("r"));
    cluster.remove("a");
    store.owners.put("r", "c"); // c's take-over landed between b's claim and b's own take-over
    assertEquals("c", owner(new MediaPlacement("b", true, new PlacementStore() {
      @Override
      public Future<String> claim(String room, String node) {
        return Future.succeededFuture("a"); // what b read before c took over
      }

      @Override
      public Future<String> takeOver(String room, String lostOwner, String node) {
        return store.takeOver(room, lostOwner, node);
      }

      @Override
      public Future<String> owner(String room) {
        return store.owner(room);
      }
    }, cluster::contains).ownerFor("r")));
    assertEquals(Map.of("r", "c"), store.owners);
  }

  @Test
  void a_node_without_a_media_node_finds_the_owner_but_never_claims() {
    MediaPlacement gatewayOnly = new MediaPlacement("g", false, store, cluster::contains);
    assertInstanceOf(MediaPlacement.PlacementUnavailable.class, gatewayOnly.ownerFor("r").cause(),
        "no owner yet and it cannot be one");
    assertEquals(Map.of(), store.owners);
    owner(on("a").ownerFor("r"));
    assertEquals("a", owner(gatewayOnly.ownerFor("r")));
    cluster.remove("a");
    assertInstanceOf(MediaPlacement.PlacementUnavailable.class, gatewayOnly.ownerFor("r").cause(),
        "the owner is gone and this node cannot take over");
    assertEquals(Map.of("r", "a"), store.owners);
  }

  @Test
  void a_room_without_members_gets_no_owner() {
    assertInstanceOf(MediaPlacement.PlacementUnavailable.class, on("a").ownerFor("empty").cause());
    assertEquals(Map.of(), store.owners);
  }

  @Test
  void a_single_node_serves_every_room_itself() {
    assertEquals("solo", owner(MediaPlacement.singleNode("solo").ownerFor("anything")));
  }
}

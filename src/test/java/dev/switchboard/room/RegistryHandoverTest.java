package dev.switchboard.room;

import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.MemberUpdate;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalDelivery;
import dev.switchboard.support.ForwardingRoomStore;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A session resumed on another node (protocol.md §7) takes its membership along: the node it left forgets
 * it, so nothing that node does later (writing its members back after a store outage) claims it again.
 */
class RegistryHandoverTest {
  private final InMemoryRoomStore shared = new InMemoryRoomStore();
  private final List<RoomEvent> events = new ArrayList<>();
  private boolean storeDown;

  /** Node 1's view of the shared store, which can be cut off. */
  private final RoomStore nodeOneStore = new ForwardingRoomStore(shared) {
    @Override
    public Future<Boolean> areMembers(String room, String a, String b) {
      return storeDown ? Future.failedFuture("connection refused") : shared.areMembers(room, a, b);
    }
  };

  private final RoomEventSink sink = new RoomEventSink() {
    @Override
    public void publish(RoomEvent event) {
      events.add(event);
    }

    @Override
    public Future<Void> deliver(String target, SignalDelivery delivery) {
      return Future.succeededFuture();
    }
  };

  private final RoomRegistry nodeOne = new RoomRegistry(nodeOneStore, sink, 6);
  private final RoomRegistry nodeTwo = new RoomRegistry(shared, sink, 6);

  @Test
  void a_member_handed_over_to_another_node_is_not_written_back_by_the_node_it_left() {
    assertTrue(nodeOne.join(new JoinRequest("r", "a", "n1")).succeeded());
    assertTrue(nodeOne.update(new MemberUpdate("r", "a", MemberUpdate.Op.DISCONNECTED)).succeeded());
    assertTrue(nodeOne.update(new MemberUpdate("r", "a", MemberUpdate.Op.FORGET)).succeeded());
    assertTrue(nodeTwo.join(new JoinRequest("r", "a", "n2")).succeeded(), "the resumed session rejoins on node 2");

    storeDown = true;
    assertTrue(nodeOne.checkStore().succeeded());
    storeDown = false;
    assertTrue(nodeOne.checkStore().succeeded(), "node 1 repairs the store with its own members");

    assertEquals(List.of(new Member("a", "n2")), shared.members("r").result(), "still node 2's, and connected");
    assertEquals(List.of(), events.stream().filter(e -> e.kind() == RoomEvent.Kind.LEFT).toList());
  }
}

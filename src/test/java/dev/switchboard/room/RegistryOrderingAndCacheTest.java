package dev.switchboard.room;

import dev.switchboard.support.ForwardingRoomStore;

import dev.switchboard.bus.JoinReply;
import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalDelivery;
import dev.switchboard.bus.SignalRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The registry's promises under adverse timing: ok means delivered, no ghosts, a bounded cache. */
class RegistryOrderingAndCacheTest {
  private final List<RoomEvent> events = new ArrayList<>();
  private final Map<String, Future<Void>> refusedTargets = new ConcurrentHashMap<>();
  private final List<String> delivered = new ArrayList<>();
  private final RoomEventSink sink = new RoomEventSink() {
    @Override
    public void publish(RoomEvent event) {
      events.add(event);
    }

    @Override
    public Future<Void> deliver(String target, SignalDelivery delivery) {
      delivered.add(target + ":" + delivery.body());
      return refusedTargets.getOrDefault(target, Future.succeededFuture());
    }
  };

  /** A store that answers joins only when told, and whose checks can be made to fail (an outage). */
  private static final class ControlledStore extends ForwardingRoomStore {
    Promise<Void> joinGate;
    boolean down;

    ControlledStore() {
      super(new InMemoryRoomStore());
    }

    @Override
    public Future<JoinResult> join(String room, Member member, int maxPeers) {
      if (down) {
        return Future.failedFuture(new RoomRefusal("registry_unavailable"));
      }
      if (joinGate == null) {
        return store.join(room, member, maxPeers);
      }
      return joinGate.future().compose(v -> store.join(room, member, maxPeers));
    }

    @Override
    public Future<Boolean> areMembers(String room, String peerA, String peerB) {
      return down ? Future.failedFuture(new RoomRefusal("registry_unavailable")) : store.areMembers(room, peerA, peerB);
    }

    @Override
    public Future<Boolean> setConnected(String room, String peerId, boolean connected) {
      return down ? Future.failedFuture(new RoomRefusal("registry_unavailable"))
          : store.setConnected(room, peerId, connected);
    }

    @Override
    public Future<LeaveResult> leave(String room, String peerId) {
      return down ? Future.failedFuture(new RoomRefusal("registry_unavailable")) : store.leave(room, peerId);
    }
  }


  private static SignalRequest signal(String from, String to, Object body) {
    return new SignalRequest("r", from, to, "offer", body);
  }

  @Test
  void a_signal_is_acknowledged_only_when_its_target_took_it_and_a_refusal_reaches_the_sender() {
    RoomRegistry registry = new RoomRegistry(new InMemoryRoomStore(), sink, 6);
    registry.join(new JoinRequest("r", "a", "n1"));
    registry.join(new JoinRequest("r", "b", "n1"));
    Promise<Void> confirmation = Promise.promise();
    refusedTargets.put("b", confirmation.future());
    Future<Void> pending = registry.signal(signal("a", "b", 1));
    assertFalse(pending.isComplete(), "not ok before the target's socket took it");
    confirmation.fail(new RoomRefusal("peer_unreachable"));
    assertEquals("peer_unreachable", ((RoomRefusal) pending.cause()).reason());
  }

  @Test
  void a_leave_issued_while_the_same_peers_join_is_in_flight_runs_after_it_so_no_ghost_stays() {
    ControlledStore store = new ControlledStore();
    RoomRegistry registry = new RoomRegistry(store, sink, 6);
    store.joinGate = Promise.promise();
    Future<JoinReply> join = registry.join(new JoinRequest("r", "a", "n1"));
    Future<Boolean> leave = registry.leave(new LeaveRequest("r", "a"));
    assertFalse(leave.isComplete(), "the undo waits for the join it undoes");
    store.joinGate.complete();
    assertTrue(join.succeeded());
    assertTrue(leave.result(), "the late admission is removed");
    assertEquals(List.of(), store.members("r").result().stream().map(Member::peerId).toList());
  }

  @Test
  void during_an_outage_only_confirmed_pairs_signal_and_a_failed_delivery_forgets_the_target() {
    ControlledStore store = new ControlledStore();
    RoomRegistry registry = new RoomRegistry(store, sink, 6);
    registry.join(new JoinRequest("r", "a", "n1"));
    registry.join(new JoinRequest("r", "b", "n1"));
    assertTrue(registry.signal(signal("a", "b", 1)).succeeded());
    store.down = true;
    assertTrue(registry.signal(signal("a", "b", 2)).succeeded(), "a verified pair keeps signalling");
    refusedTargets.put("b", Future.failedFuture(new RoomRefusal("unknown_peer")));
    assertTrue(registry.signal(signal("a", "b", 3)).failed(), "b is gone: its socket refused");
    refusedTargets.clear();
    assertTrue(registry.signal(signal("a", "b", 4)).failed(), "and it is not authorised again during the outage");
    assertTrue(registry.signal(signal("a", "c", 5)).failed(), "an unverified pair never was");
  }

  @Test
  void after_an_outage_a_members_departure_is_announced_but_the_undo_of_a_failed_join_is_not() {
    ControlledStore store = new ControlledStore();
    RoomRegistry registry = new RoomRegistry(store, sink, 6);
    registry.join(new JoinRequest("r", "a", "n1"));
    registry.join(new JoinRequest("r", "b", "n1"));
    events.clear();
    store.down = true;
    assertTrue(registry.join(new JoinRequest("r", "d", "n1")).failed());
    assertTrue(registry.leave(new LeaveRequest("r", "d")).failed(), "the undo of d's join waits for the store");
    assertTrue(registry.leave(new LeaveRequest("r", "b")).failed(), "b's departure waits for the store");
    store.down = false;
    assertTrue(registry.checkStore().succeeded());
    assertEquals(List.of(RoomEvent.left("r", "b", RoomEvent.LEFT_VOLUNTARILY)), events, "d, never admitted, never left");
    assertEquals(List.of("a"), store.members("r").result().stream().map(Member::peerId).toList());
  }

  @Test
  void the_cache_of_confirmed_members_is_bounded_per_room_and_dropped_with_the_last_local_member() {
    RoomRegistry registry = new RoomRegistry(new InMemoryRoomStore(), sink, 3);
    registry.join(new JoinRequest("r", "a", "n1"));
    for (int i = 0; i < 1_000; i++) {
      // remote peers come and go while a stays: each one is verified once
      String remote = "remote-" + i;
      registry.join(new JoinRequest("r", remote, "n2"));
      assertTrue(registry.signal(signal("a", remote, i)).succeeded());
      registry.leave(new LeaveRequest("r", remote));
    }
    assertTrue(registry.confirmedEntries() <= 6, "bounded by twice the room size: " + registry.confirmedEntries());
    registry.leave(new LeaveRequest("r", "a"));
    assertEquals(0, registry.confirmedEntries(), "no local member, nothing kept");
  }
}

package dev.switchboard.room;

import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalDelivery;
import dev.switchboard.bus.SignalRequest;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Room rules over the in-memory store, without a Vert.x instance. */
class RoomRegistryTest {
  private final InMemoryRoomStore store = new InMemoryRoomStore();
  private final List<RoomEvent> events = new ArrayList<>();
  private final List<String> deliveries = new ArrayList<>();
  private final RoomRegistry registry = new RoomRegistry(store, new RoomEventSink() {
    @Override
    public void publish(RoomEvent event) {
      events.add(event);
    }

    @Override
    public Future<Void> deliver(String target, SignalDelivery delivery) {
      deliveries.add(target + "<-" + delivery.from() + ":" + delivery.kind() + ":" + delivery.body());
      return Future.succeededFuture();
    }
  }, 3);

  private static <T> T done(Future<T> future) {
    assertTrue(future.isComplete());
    if (future.failed()) {
      throw (RuntimeException) future.cause();
    }
    return future.result();
  }

  private static String refusal(Future<?> future) {
    assertTrue(future.failed());
    return ((RoomRefusal) future.cause()).reason();
  }

  @Test
  void join_returns_the_members_already_present_in_join_order_and_announces_the_newcomer() {
    assertEquals(List.of(), done(registry.join(new JoinRequest("r", "a", "n1"))).peers());
    assertEquals(List.of("a"), done(registry.join(new JoinRequest("r", "b", "n1"))).peers());
    assertEquals(List.of("a", "b"), done(registry.join(new JoinRequest("r", "c", "n2"))).peers());
    assertEquals(List.of("a", "b", "c"), events.stream().map(RoomEvent::peerId).toList());
  }

  @Test
  void a_full_room_refuses_and_changes_nothing() {
    for (String p : List.of("a", "b", "c")) {
      done(registry.join(new JoinRequest("r", p, "n1")));
    }
    events.clear();
    assertEquals(RoomRegistry.ROOM_FULL, refusal(registry.join(new JoinRequest("r", "d", "n1"))));
    assertEquals(List.of(), events);
    assertEquals(3, done(store.members("r")).size());
  }

  @Test
  void invalid_room_ids_are_refused() {
    assertEquals(RoomRegistry.INVALID_ROOM, refusal(registry.join(new JoinRequest("a:b", "a", "n1"))));
    assertEquals(RoomRegistry.INVALID_ROOM, refusal(registry.join(new JoinRequest("x".repeat(65), "a", "n1"))));
  }

  @Test
  void leave_is_announced_once_even_when_repeated() {
    done(registry.join(new JoinRequest("r", "a", "n1")));
    done(registry.join(new JoinRequest("r", "b", "n1")));
    events.clear();
    assertTrue(done(registry.leave(new LeaveRequest("r", "a"))));
    assertFalse(done(registry.leave(new LeaveRequest("r", "a"))));
    assertEquals(List.of(RoomEvent.left("r", "a", RoomEvent.LEFT_VOLUNTARILY)), events);
  }

  @Test
  void the_last_leave_empties_the_room_silently() {
    done(registry.join(new JoinRequest("r", "a", "n1")));
    events.clear();
    assertTrue(done(registry.leave(new LeaveRequest("r", "a"))));
    assertEquals(List.of(), events);
    assertEquals(0, store.roomCount());
  }

  @Test
  void signals_go_out_only_between_members_of_the_same_room() {
    done(registry.join(new JoinRequest("r", "a", "n1")));
    done(registry.join(new JoinRequest("r", "b", "n1")));
    done(registry.join(new JoinRequest("s", "c", "n1")));
    done(registry.signal(new SignalRequest("r", "a", "b", "offer", "sdp")));
    assertEquals(RoomRegistry.UNKNOWN_PEER, refusal(registry.signal(new SignalRequest("r", "a", "c", "offer", "x"))));
    assertEquals(RoomRegistry.UNKNOWN_PEER, refusal(registry.signal(new SignalRequest("s", "a", "c", "offer", "x"))));
    assertEquals(List.of("b<-a:offer:sdp"), deliveries);
  }

  @Test
  void reaping_a_node_removes_exactly_its_peers_and_announces_each_once() {
    done(registry.join(new JoinRequest("r", "a", "dead")));
    done(registry.join(new JoinRequest("r", "b", "alive")));
    done(registry.join(new JoinRequest("s", "c", "dead")));
    events.clear();
    assertEquals(2, done(registry.reapNode("dead")));
    assertEquals(0, done(registry.reapNode("dead")));
    assertEquals(List.of("a", "c"), events.stream().map(RoomEvent::peerId).sorted().toList());
    assertEquals(List.of(new Member("b", "alive")), done(store.members("r")));
    assertEquals(1, store.roomCount());
  }

  @Test
  void joining_twice_is_idempotent_and_not_announced_again() {
    done(registry.join(new JoinRequest("r", "a", "n1")));
    done(registry.join(new JoinRequest("r", "b", "n1")));
    events.clear();
    assertEquals(List.of("a"), done(registry.join(new JoinRequest("r", "b", "n1"))).peers());
    assertEquals(List.of(), events);
  }
}

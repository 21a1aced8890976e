package dev.switchboard.room;

import dev.switchboard.support.ForwardingRoomStore;

import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalDelivery;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A store call that timed out may still have been applied (Redis answered too late). For a join that
 * means a member whose client was told {@code registry_unavailable}: the registry must not leave it behind.
 */
class RegistryStoreTimeoutTest {
  private final InMemoryRoomStore memory = new InMemoryRoomStore();
  private final List<RoomEvent> events = new ArrayList<>();
  private boolean lateAnswers;
  private boolean droppedJoins;

  /** While {@code lateAnswers} joins are applied but reported as timed out; while {@code droppedJoins} lost. */
  private final RoomStore store = new ForwardingRoomStore(memory) {
    @Override
    public Future<JoinResult> join(String room, Member member, int maxPeers) {
      if (droppedJoins) {
        return Future.failedFuture("redis command timed out after 2000 ms");
      }
      Future<JoinResult> applied = memory.join(room, member, maxPeers);
      return lateAnswers ? Future.failedFuture("redis command timed out after 2000 ms") : applied;
    }
  };

  private final RoomRegistry registry = new RoomRegistry(store, new RoomEventSink() {
    @Override
    public void publish(RoomEvent event) {
      events.add(event);
    }

    @Override
    public Future<Void> deliver(String target, SignalDelivery delivery) {
      return Future.succeededFuture();
    }
  }, 6);

  @Test
  void a_join_that_timed_out_but_was_applied_is_withdrawn_once_the_store_answers_again() {
    assertTrue(registry.join(new JoinRequest("r", "a", "n1")).succeeded());
    lateAnswers = true;
    assertTrue(registry.join(new JoinRequest("r", "b", "n1")).failed(), "b was told registry_unavailable");
    lateAnswers = false;
    assertTrue(registry.checkStore().succeeded());
    assertEquals(List.of(new Member("a", "n1")), memory.members("r").result(), "no ghost of b");
    assertEquals(List.of("b"), events.stream().filter(e -> e.kind() == RoomEvent.Kind.LEFT).map(RoomEvent::peerId)
        .toList(), "b was in the store for a while (a later join would have listed it): its departure is announced");
  }

  @Test
  void a_join_that_timed_out_and_never_landed_announces_nothing() {
    assertTrue(registry.join(new JoinRequest("r", "a", "n1")).succeeded());
    droppedJoins = true;
    assertTrue(registry.join(new JoinRequest("r", "b", "n1")).failed());
    droppedJoins = false;
    assertTrue(registry.checkStore().succeeded());
    assertEquals(List.of(new Member("a", "n1")), memory.members("r").result());
    assertEquals(List.of(), events.stream().filter(e -> e.kind() == RoomEvent.Kind.LEFT).toList());
  }

  @Test
  void a_join_retried_successfully_after_a_timeout_is_kept() {
    lateAnswers = true;
    assertTrue(registry.join(new JoinRequest("r", "b", "n1")).failed());
    lateAnswers = false;
    assertTrue(registry.join(new JoinRequest("r", "b", "n1")).succeeded(), "the client joined again");
    assertTrue(registry.checkStore().succeeded());
    assertEquals(List.of(new Member("b", "n1")), memory.members("r").result());
    assertEquals(List.of(), events.stream().filter(e -> e.kind() == RoomEvent.Kind.LEFT).toList());
  }
}

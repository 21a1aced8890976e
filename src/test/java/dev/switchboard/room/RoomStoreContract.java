package dev.switchboard.room;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every RoomStore does, in memory or in Redis. */
abstract class RoomStoreContract {
  abstract RoomStore store();

  @Test
  void join_returns_who_was_there_in_join_order() {
    RoomStore store = store();
    assertEquals(List.of(), on(store.join("r", new Member("a", "n1"), 6), 5).present());
    assertEquals(List.of(new Member("a", "n1")), on(store.join("r", new Member("b", "n2"), 6), 5).present());
    assertEquals(List.of(new Member("a", "n1"), new Member("b", "n2")),
        on(store.join("r", new Member("c", "n1"), 6), 5).present());
    assertEquals(List.of("a", "b", "c"), on(store.members("r"), 5).stream().map(Member::peerId).toList());
  }

  @Test
  void a_full_room_admits_nobody_and_a_repeated_join_is_no_new_member() {
    RoomStore store = store();
    on(store.join("r", new Member("a", "n1"), 2), 5);
    on(store.join("r", new Member("b", "n1"), 2), 5);
    assertFalse(on(store.join("r", new Member("c", "n1"), 2), 5).admitted());
    RoomStore.JoinResult again = on(store.join("r", new Member("b", "n1"), 2), 5);
    assertTrue(again.admitted() && again.alreadyMember());
    assertEquals(List.of(new Member("a", "n1")), again.present());
    assertEquals(2, on(store.members("r"), 5).size());
  }

  @Test
  void leave_is_idempotent_and_the_last_one_out_empties_the_room() {
    RoomStore store = store();
    on(store.join("r", new Member("a", "n1"), 6), 5);
    on(store.join("r", new Member("b", "n1"), 6), 5);
    assertEquals(1, store.roomCount());
    assertEquals(new RoomStore.LeaveResult(true, false), on(store.leave("r", "a"), 5));
    assertEquals(new RoomStore.LeaveResult(false, false), on(store.leave("r", "a"), 5));
    assertEquals(new RoomStore.LeaveResult(true, true), on(store.leave("r", "b"), 5));
    assertEquals(List.of(), on(store.members("r"), 5));
    assertEquals(0, store.roomCount());
  }

  @Test
  void are_members_needs_both_in_the_same_room() {
    RoomStore store = store();
    on(store.join("r", new Member("a", "n1"), 6), 5);
    on(store.join("r", new Member("b", "n1"), 6), 5);
    on(store.join("s", new Member("c", "n1"), 6), 5);
    assertTrue(on(store.areMembers("r", "a", "b"), 5));
    assertFalse(on(store.areMembers("r", "a", "c"), 5));
    assertFalse(on(store.areMembers("nowhere", "a", "b"), 5));
  }

  @Test
  void removing_a_node_removes_exactly_its_members_once() {
    RoomStore store = store();
    on(store.join("r", new Member("a", "dead"), 6), 5);
    on(store.join("r", new Member("b", "alive"), 6), 5);
    on(store.join("s", new Member("c", "dead"), 6), 5);
    List<Membership> removed = on(store.removeNode("dead"), 5);
    assertEquals(List.of(new Membership("r", "a"), new Membership("s", "c")),
        removed.stream().sorted(java.util.Comparator.comparing(Membership::room)).toList());
    assertEquals(List.of(), on(store.removeNode("dead"), 5));
    assertEquals(List.of(new Member("b", "alive")), on(store.members("r"), 5));
    assertEquals(List.of(), on(store.members("s"), 5));
    assertEquals(1, store.roomCount());
  }
}

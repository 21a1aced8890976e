package dev.switchboard.room;

import dev.switchboard.bus.PeerProfile;
import io.vertx.core.json.JsonObject;
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

  private static PeerProfile verified(String identity) {
    return new PeerProfile(identity, identity.toUpperCase(), new JsonObject().put("role", "guest"), true, true,
        true, false);
  }

  @Test
  void members_keep_their_profile_and_state() {
    RoomStore store = store();
    Member alice = new Member("a", "n1", verified("alice"), true);
    on(store.join("r", alice, 6), 5);
    assertEquals(List.of(alice), on(store.members("r"), 5));
    assertEquals(List.of(alice), on(store.join("r", new Member("b", "n1"), 6), 5).present());
  }

  @Test
  void a_second_peer_of_a_verified_identity_replaces_the_first_even_in_a_full_room() {
    RoomStore store = store();
    Member first = new Member("a1", "n1", verified("alice"), true);
    on(store.join("r", first, 2), 5);
    on(store.join("r", new Member("b", "n1", verified("bob"), true), 2), 5);
    RoomStore.JoinResult second = on(store.join("r", new Member("a2", "n2", verified("alice"), true), 2), 5);
    assertTrue(second.admitted());
    assertEquals(first, second.replaced());
    assertEquals(List.of("b"), second.present().stream().map(Member::peerId).toList());
    assertEquals(List.of("b", "a2"), on(store.members("r"), 5).stream().map(Member::peerId).toList());
    // the replaced peer is gone: leaving again removes nothing
    assertFalse(on(store.leave("r", "a1"), 5).removed());
    // and the identity is free again once its peer left
    on(store.leave("r", "a2"), 5);
    assertEquals(null, on(store.join("r", new Member("a3", "n1", verified("alice"), true), 2), 5).replaced());
  }

  @Test
  void unverified_identities_never_replace_anyone() {
    RoomStore store = store();
    PeerProfile claimed = new PeerProfile("alice", "Alice", new JsonObject(), false, true, true, false);
    on(store.join("r", new Member("a1", "n1", claimed, true), 6), 5);
    RoomStore.JoinResult other = on(store.join("r", new Member("a2", "n1", claimed, true), 6), 5);
    assertEquals(null, other.replaced());
    assertEquals(2, on(store.members("r"), 5).size());
  }

  @Test
  void a_member_is_held_disconnected_and_rejoins_without_becoming_new() {
    RoomStore store = store();
    on(store.join("r", new Member("a", "n1"), 6), 5);
    on(store.join("r", new Member("b", "n1"), 6), 5);
    assertTrue(on(store.setConnected("r", "a", false), 5));
    assertFalse(on(store.setConnected("r", "a", false), 5), "no change, nothing to announce");
    assertFalse(on(store.setConnected("r", "nobody", false), 5));
    assertEquals(List.of(false, true), on(store.members("r"), 5).stream().map(Member::connected).toList());
    // resumed on another node: membership moves there, the join order stays
    RoomStore.JoinResult back = on(store.join("r", new Member("a", "n2"), 6), 5);
    assertTrue(back.alreadyMember() && back.wasDisconnected());
    assertEquals(List.of(new Member("a", "n2"), new Member("b", "n1")), on(store.members("r"), 5));
    // reaping the old node no longer touches it; reaping the new one does
    assertEquals(List.of(new Membership("r", "b")), on(store.removeNode("n1"), 5));
    assertEquals(List.of(new Membership("r", "a")), on(store.removeNode("n2"), 5));
  }
}

package dev.switchboard.gateway;

import dev.switchboard.bus.RoomEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway's view of who is in its rooms: events are the truth, a join reply fills in only what they did not say. */
class RoomMembersTest {
  private final RoomMembers members = new RoomMembers();

  @Test
  void a_join_reply_makes_the_joiner_and_the_members_it_lists_known() {
    members.joinStarted("r");
    members.joinAdmitted("r", "me", List.of("a", "b"));
    assertTrue(members.share("r", "me", "a"));
    assertTrue(members.share("r", "b", "me"));
    assertFalse(members.share("r", "me", "c"));
    assertFalse(members.share("other", "me", "a"), "same room only");
  }

  @Test
  void peer_left_removes_and_peer_joined_adds() {
    members.joinStarted("r");
    members.joinAdmitted("r", "me", List.of("a"));
    members.apply(RoomEvent.left("r", "a", RoomEvent.LEFT_VOLUNTARILY));
    assertFalse(members.share("r", "me", "a"));
    members.apply(RoomEvent.joined("r", "a", new JsonObject()));
    assertTrue(members.share("r", "me", "a"));
  }

  @Test
  void a_departure_applied_before_the_older_join_reply_is_not_undone_by_it() {
    members.joinStarted("r");
    // the registry admitted "me" with "a" present, then "a" left; the event overtook the reply
    members.apply(RoomEvent.left("r", "a", RoomEvent.LEFT_CLOSED));
    members.joinAdmitted("r", "me", List.of("a"));
    assertFalse(members.share("r", "me", "a"));
  }

  @Test
  void once_no_join_is_in_flight_a_later_reply_trusts_the_members_it_lists_again() {
    members.joinStarted("r");
    members.apply(RoomEvent.left("r", "a", RoomEvent.LEFT_CLOSED));
    members.joinAdmitted("r", "me", List.of());
    members.joinStarted("r");
    members.joinAdmitted("r", "you", List.of("me", "a"));
    assertTrue(members.share("r", "you", "a"));
  }

  @Test
  void a_state_change_is_only_announced_for_a_member_so_it_makes_the_peer_known() {
    members.joinStarted("r");
    members.joinAdmitted("r", "me", List.of());
    members.apply(RoomEvent.state("r", "resumed", true));
    assertTrue(members.share("r", "me", "resumed"));
  }

  @Test
  void a_forgotten_peer_or_room_is_unknown_and_a_failed_join_leaves_nothing() {
    members.joinStarted("r");
    members.joinAdmitted("r", "me", List.of("a", "b"));
    members.forget("r", "a");
    assertFalse(members.share("r", "me", "a"));
    members.joinStarted("r");
    members.joinFailed("r", "late");
    assertFalse(members.share("r", "me", "late"));
    members.forgetRoom("r");
    assertFalse(members.share("r", "me", "b"));
    members.apply(RoomEvent.joined("r", "c", new JsonObject()));
    assertFalse(members.share("r", "c", "c"), "events of a room no local socket is in are not kept");
  }

  @Test
  void a_room_that_collects_more_than_any_room_holds_starts_over() {
    members.joinStarted("r");
    members.joinAdmitted("r", "me", List.of());
    for (int i = 0; i < RoomMembers.MAX_PER_ROOM + 10; i++) {
      members.apply(RoomEvent.joined("r", "p" + i, new JsonObject()));
    }
    assertTrue(members.size() <= RoomMembers.MAX_PER_ROOM);
  }
}

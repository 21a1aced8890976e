package dev.switchboard.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class SessionRoomsTest {
  @Test
  void only_the_latest_token_of_a_room_is_valid_and_using_one_invalidates_all() {
    SessionRooms rooms = new SessionRooms();
    rooms.issued("a", "n1");
    rooms.issued("a", "n2");
    rooms.issued("b", "n3");
    assertFalse(rooms.consume("a", "n1"));
    assertTrue(rooms.consume("a", "n2"));
    assertFalse(rooms.consume("b", "n3"), "the session's other tokens went with it");
  }

  @Test
  void a_held_room_is_a_membership_until_joined_again_or_left() {
    SessionRooms rooms = new SessionRooms();
    rooms.joined("a");
    rooms.held("a");
    rooms.held("b");
    assertEquals(List.of("a", "b"), rooms.heldRooms());
    rooms.joined("a");
    rooms.left("b");
    assertEquals(List.of("a"), rooms.memberships());
    assertFalse(rooms.anyHeld());
  }
}

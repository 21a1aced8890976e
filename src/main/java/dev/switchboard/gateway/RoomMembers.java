package dev.switchboard.gateway;

import dev.switchboard.bus.RoomEvent;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Who is in each room this gateway instance has members in, as far as the room's events tell: learned from
 * join replies and kept current by {@code peer:joined} / {@code peer:left}. It lets a signal between two
 * known members skip the registry. A peer it does not know costs one registry check (the signal falls back),
 * so it may forget freely; what it must never do is keep a peer after the event that removed it was applied,
 * since the sender's socket gets that same event from this instance right after (a signal sent after the
 * sender saw {@code peer:left} is refused).
 *
 * <p>A join reply lists the members at the moment the registry admitted the joiner, but it comes back by
 * another route than the room's events (and after more work), so an event about a peer can be applied
 * before the reply that predates it. While joins are in flight the peers named by events are remembered, and
 * the reply adds only peers no event spoke of since: the events are never older than the reply for them.
 *
 * <p>Owned by one gateway instance's event loop; not thread-safe.
 */
final class RoomMembers {
  private static final class Room {
    final Set<String> members = new HashSet<>();
    int joinsInFlight;
    /** Peers named by an event while a join was in flight (cleared when none is). */
    final Set<String> touched = new HashSet<>();
  }

  /**
   * Above any room cap ({@code rooms.max-peers} ≤ 1000): a room that collects more (departures it never heard
   * of) starts over empty; its signals then ask the registry, which is slower, never wrong.
   */
  static final int MAX_PER_ROOM = 2048;

  private final Map<String, Room> rooms = new HashMap<>();

  /** A local peer asks to join: events from now on may be newer than its reply. */
  void joinStarted(String room) {
    rooms.computeIfAbsent(room, r -> new Room()).joinsInFlight++;
  }

  /** The registry admitted {@code self}; {@code others} were in the room at that moment. */
  void joinAdmitted(String room, String self, Collection<String> others) {
    Room known = rooms.get(room);
    if (known == null) {
      return; // the room was forgotten meanwhile (its last local socket went): nothing would keep it current
    }
    for (String peer : others) {
      if (!known.touched.contains(peer)) {
        add(known, peer);
      }
    }
    if (!known.touched.contains(self)) {
      add(known, self);
    }
    joinEnded(known);
  }

  /** A join that the registry did not answer with an admission. */
  void joinFailed(String room, String self) {
    Room known = rooms.get(room);
    if (known != null) {
      known.members.remove(self);
      joinEnded(known);
    }
  }

  private static void add(Room known, String peerId) {
    if (known.members.size() >= MAX_PER_ROOM) {
      known.members.clear();
    }
    known.members.add(peerId);
  }

  private static void joinEnded(Room known) {
    if (--known.joinsInFlight <= 0) {
      known.joinsInFlight = 0;
      known.touched.clear();
    }
  }

  /** A room event, applied before it is written to any local socket. */
  void apply(RoomEvent event) {
    Room known = rooms.get(event.room());
    if (known == null) {
      return;
    }
    switch (event.kind()) {
      case JOINED -> add(known, event.peerId());
      case LEFT -> known.members.remove(event.peerId());
      // only a member's state is announced; a resumed session rejoins with no peer:joined, only this
      case STATE -> add(known, event.peerId());
    }
    if (known.joinsInFlight > 0) {
      known.touched.add(event.peerId());
    }
  }

  /**
   * Anything else that says a peer may not be in the room (an admin removed it, a delivery found no socket in
   * the room, the registry refused it): forgotten, so that the next signal asks the registry.
   */
  void forget(String room, String peerId) {
    Room known = rooms.get(room);
    if (known != null) {
      known.members.remove(peerId);
      if (known.joinsInFlight > 0) {
        known.touched.add(peerId);
      }
    }
  }

  /** The instance no longer receives the room's events: nothing of it may be trusted any more. */
  void forgetRoom(String room) {
    rooms.remove(room);
  }

  /** Both peers are members of the room as far as its events tell. */
  boolean share(String room, String peerA, String peerB) {
    Room known = rooms.get(room);
    return known != null && known.members.contains(peerA) && known.members.contains(peerB);
  }

  /** Members known over all rooms (bounded by the rooms' caps times this instance's rooms). */
  int size() {
    int size = 0;
    for (Room room : rooms.values()) {
      size += room.members.size();
    }
    return size;
  }
}

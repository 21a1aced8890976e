package dev.switchboard.room;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Members the store confirmed, per room, so that pairs already verified keep signalling while the store is
 * unreachable. Only rooms with a member on this node are kept (a signal's sender is always local), a room
 * forgets a peer as soon as anything says it is gone (a refused check, a failed delivery, a local leave),
 * and a room that collects more entries than a room can hold starts over: it is a cache, so forgetting
 * costs one store check, and its size is bounded by this node's rooms whatever the churn.
 */
final class ConfirmedMembers {
  private final int maxPerRoom;
  private final Map<String, Set<String>> rooms = new ConcurrentHashMap<>();

  ConfirmedMembers(int maxPeers) {
    this.maxPerRoom = 2 * maxPeers;
  }

  void confirm(String room, String peerA, String peerB) {
    Set<String> known = rooms.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet());
    if (known.size() + 2 > maxPerRoom) {
      known.clear();
    }
    known.add(peerA);
    known.add(peerB);
  }

  boolean both(String room, String peerA, String peerB) {
    Set<String> known = rooms.get(room);
    return known != null && known.contains(peerA) && known.contains(peerB);
  }

  void forget(String room, String peerId) {
    rooms.computeIfPresent(room, (r, peers) -> {
      peers.remove(peerId);
      return peers.isEmpty() ? null : peers;
    });
  }

  /** The room has no member on this node any more: nothing of it is needed here. */
  void forgetRoom(String room) {
    rooms.remove(room);
  }

  int size() {
    int size = 0;
    for (Set<String> peers : rooms.values()) {
      size += peers.size();
    }
    return size;
  }

  Set<String> roomsKnown() {
    return new HashSet<>(rooms.keySet());
  }
}

package dev.switchboard.media;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which gateway node holds each participant's socket, so that a gateway node that dies takes its participants'
 * media with it: their sockets will never send the leave. Plain class, used on one thread.
 */
final class GatewaySeats {
  /** A participant of a room whose socket is on a gateway node. */
  record Seat(String room, String peerId) {
  }

  private final Map<String, String> gatewayByPeer = new HashMap<>();
  private final Map<String, String> roomByPeer = new HashMap<>();

  /** The participant negotiated through that gateway node (a resumed socket may have moved it). */
  void seated(String room, String peerId, String gatewayNode) {
    gatewayByPeer.put(peerId, gatewayNode);
    roomByPeer.put(peerId, room);
  }

  void left(String peerId) {
    gatewayByPeer.remove(peerId);
    roomByPeer.remove(peerId);
  }

  /** The gateway node is gone: its participants, forgotten here, for the node to drop. */
  List<Seat> gatewayLost(String gatewayNode) {
    List<Seat> lost = new ArrayList<>();
    gatewayByPeer.entrySet().removeIf(entry -> {
      if (!entry.getValue().equals(gatewayNode)) {
        return false;
      }
      lost.add(new Seat(roomByPeer.remove(entry.getKey()), entry.getKey()));
      return true;
    });
    return lost;
  }

  int size() {
    return gatewayByPeer.size();
  }
}

package dev.switchboard.room;

import dev.switchboard.bus.PeerKick;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalDelivery;
import io.vertx.core.Future;

import java.util.List;

/** Where the registry's decisions go out: in production the event bus. */
public interface RoomEventSink {
  void publish(RoomEvent event);

  /**
   * Sends a signal to its target; completes once the target's socket took it, fails with a
   * {@link RoomRefusal} naming why it did not ({@code unknown_peer}, {@code peer_unreachable},
   * {@code delivery_timeout}).
   */
  Future<Void> deliver(String targetPeerId, SignalDelivery delivery);

  /**
   * Announces the departure of a dead node's peers ({@code peer:left}, reason {@code node_lost}) to their
   * room-mates. By default one room event each; on the bus, batched (see {@code Addresses.ROOM_REAPED}).
   */
  default void reaped(List<Membership> removed) {
    removed.forEach(m -> publish(RoomEvent.left(m.room(), m.peerId(), RoomEvent.LEFT_NODE_LOST)));
  }

  /** Tells a peer's session it is no longer in a room (replaced, removed); nobody waits for the answer. */
  default void kick(String peerId, PeerKick kick) {
  }
}

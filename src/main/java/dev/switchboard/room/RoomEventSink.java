package dev.switchboard.room;

import dev.switchboard.bus.PeerKick;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalDelivery;
import io.vertx.core.Future;

/** Where the registry's decisions go out: in production the event bus. */
public interface RoomEventSink {
  void publish(RoomEvent event);

  /**
   * Sends a signal to its target; completes once the target's socket took it, fails with a
   * {@link RoomRefusal} naming why it did not ({@code unknown_peer}, {@code peer_unreachable},
   * {@code delivery_timeout}).
   */
  Future<Void> deliver(String targetPeerId, SignalDelivery delivery);

  /** Tells a peer's session it is no longer in a room (replaced, removed); nobody waits for the answer. */
  default void kick(String peerId, PeerKick kick) {
  }
}

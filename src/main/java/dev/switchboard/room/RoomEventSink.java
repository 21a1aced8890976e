package dev.switchboard.room;

import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalDelivery;

/** Where the registry's decisions go out: in production the event bus. */
public interface RoomEventSink {
  void publish(RoomEvent event);

  void deliver(String targetPeerId, SignalDelivery delivery);
}

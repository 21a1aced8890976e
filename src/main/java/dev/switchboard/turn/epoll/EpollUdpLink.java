package dev.switchboard.turn.epoll;

import dev.switchboard.turn.allocation.ClientLink;
import dev.switchboard.turn.allocation.FiveTuple;

import java.nio.ByteBuffer;

/** The path back to a UDP client through the epoll listener socket it wrote to. */
record EpollUdpLink(Outbound listener, FiveTuple fiveTuple) implements ClientLink {
  @Override
  public void send(ByteBuffer data) {
    listener.send(data, fiveTuple.client());
  }

  @Override
  public void close() {
    // the listener socket is shared by every UDP client
  }
}

package dev.switchboard.turn.listen;

import dev.switchboard.turn.allocation.Allocation;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** Where UDP engines hand what peers send to an allocation's relay address. */
public interface PeerPacketHandler {
  /** Room a reader leaves in front of a peer's payload, for the header the client will get it with. */
  int peerPrefix();

  /**
   * One datagram from {@code peer}: its payload lies at {@link #peerPrefix()} in {@code out}, {@code length}
   * long; the handler may write in front of it and reuse the buffer.
   */
  void onPeerPacket(Allocation allocation, ByteBuffer out, int length, InetSocketAddress peer);
}

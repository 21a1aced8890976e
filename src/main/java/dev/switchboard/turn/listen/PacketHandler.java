package dev.switchboard.turn.listen;

import dev.switchboard.turn.allocation.ClientLink;

import java.nio.ByteBuffer;

/** Where listeners hand what clients send: one STUN message or ChannelData frame at a time. */
public interface PacketHandler {
  /** The bytes at {@code off}, {@code len} long; the buffer is reused once this returns. */
  void onPacket(ByteBuffer in, int off, int len, ClientLink link);

  /** A stream client's connection ended: whatever it held ends with it. */
  void onClosed(ClientLink link);
}

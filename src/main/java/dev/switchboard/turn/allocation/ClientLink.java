package dev.switchboard.turn.allocation;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** The path back to a TURN client: a UDP listener socket and the client's address, or its TCP connection. */
public interface ClientLink {
  FiveTuple fiveTuple();

  default InetSocketAddress remote() {
    return fiveTuple().client();
  }

  /** A stream transport pads ChannelData to 4 bytes and frames messages itself. */
  default boolean stream() {
    return fiveTuple().stream();
  }

  /**
   * Sends the buffer's remaining bytes without blocking the caller on this client: a packet thread serves many
   * clients. What cannot be sent now is dropped (media) and errors mean the client is gone.
   */
  void send(ByteBuffer data);

  void close();

  /** The client proved its credentials: a connection that never does is closed after a while. */
  default void authenticated() {
  }

  record Udp(DatagramChannel socket, FiveTuple fiveTuple) implements ClientLink {
    @Override
    public void send(ByteBuffer data) {
      try {
        socket.send(data, fiveTuple.client());
      } catch (IOException e) {
        // UDP: a lost datagram, as on the wire
      }
    }

    @Override
    public void close() {
      // the listener socket is shared by every UDP client
    }
  }
}

package dev.switchboard.turn.allocation;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** A relay socket as a non-blocking NIO channel, read by a selector of the NIO relay readers. */
public record NioRelaySocket(DatagramChannel channel) implements RelaySocket {
  private static final int RELAY_BUFFER = 512 * 1024;

  /** Opens a non-blocking UDP socket on the address, or throws when it is taken. */
  public static NioRelaySocket bind(InetSocketAddress address) throws IOException {
    DatagramChannel channel = DatagramChannel.open(address.getAddress() instanceof Inet6Address
        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    try {
      channel.bind(address);
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.SO_RCVBUF, RELAY_BUFFER);
      return new NioRelaySocket(channel);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public void send(ByteBuffer payload, InetSocketAddress peer) throws IOException {
    channel.send(payload, peer);
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}

package dev.switchboard.turn.allocation;

import java.net.InetSocketAddress;

/**
 * What identifies an allocation (RFC 8656 §2.2): the client's transport, its address and the server address it
 * talks to. Keying by the client address alone would let a UDP datagram from a TCP client's ip:port act on that
 * TCP client's allocation.
 */
public record FiveTuple(Transport transport, InetSocketAddress client, InetSocketAddress server) {
  public enum Transport { UDP, TCP }

  public static FiveTuple udp(InetSocketAddress client, InetSocketAddress server) {
    return new FiveTuple(Transport.UDP, client, server);
  }

  public static FiveTuple tcp(InetSocketAddress client, InetSocketAddress server) {
    return new FiveTuple(Transport.TCP, client, server);
  }

  public boolean stream() {
    return transport == Transport.TCP;
  }
}

package dev.switchboard.turn.epoll;

import dev.switchboard.turn.allocation.RelaySocket;

import io.netty.channel.epoll.EpollDatagramChannel;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A relay socket as a native epoll datagram channel. It is bound at once (Allocate needs to know whether the
 * port was free) and joins its event loop when its allocation starts: the loop of the thread that bound it when
 * that is one of the engine's, so a UDP client's listener and its relay socket share one thread and one flush.
 */
final class EpollRelaySocket implements RelaySocket {
  final EpollDatagramChannel channel;
  final LoopFlusher flusher;
  private final Outbound outbound;

  EpollRelaySocket(EpollDatagramChannel channel, LoopFlusher flusher, Outbound outbound) {
    this.channel = channel;
    this.flusher = flusher;
    this.outbound = outbound;
  }

  @Override
  public void send(ByteBuffer payload, InetSocketAddress peer) {
    outbound.send(payload, peer);
  }

  @Override
  public void close() {
    if (channel.isRegistered()) {
      channel.close();
    } else {
      // never registered (a reservation, or a refused Allocate): no loop owns it yet
      channel.unsafe().closeForcibly();
    }
  }
}

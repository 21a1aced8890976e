package dev.switchboard.turn.listen;

import dev.switchboard.turn.allocation.Allocation;
import dev.switchboard.turn.allocation.RelayPorts;
import dev.switchboard.turn.epoll.EpollUdp;

import java.io.IOException;
import java.net.InetAddress;

/**
 * How the relay moves UDP: the listener sockets on the TURN port, and the allocations' relay sockets with the
 * threads that read them. {@link EpollUdp} batches system calls through Netty's native transport on Linux;
 * {@link NioUdp} is the portable fallback (one system call per datagram).
 */
public interface UdpEngine extends AutoCloseable {
  /**
   * Binds {@code count} listener sockets sharing one port (the kernel hashes each client to one of them, so a
   * client always meets the same thread) and returns that port; with port 0 the kernel picks it.
   */
  int bindListeners(InetAddress ip, int port, int count) throws IOException;

  /** Starts reading the listeners (clients) and the relay sockets (peers). */
  void start(PacketHandler clients, PeerPacketHandler peers) throws IOException;

  /** Opens relay sockets of this engine's kind. */
  RelayPorts.Binder relayBinder();

  /** A new allocation's relay socket starts being read. */
  void startRelaying(Allocation allocation);

  /** Packets this engine dropped because a socket's outbound queue was full (epoll queues; NIO drops in the kernel). */
  long droppedPackets();

  String name();

  @Override
  void close();

  /** The engine a configuration asks for: {@code epoll}, {@code nio}, or {@code auto} (epoll where available). */
  static UdpEngine forName(String name, int threads) {
    return switch (name) {
      case "nio" -> new NioUdp(threads);
      case "epoll" -> {
        if (!EpollUdp.available()) {
          throw new IllegalStateException("turn.io is epoll, but Netty's native epoll transport is not available here: "
              + EpollUdp.unavailabilityCause());
        }
        yield new EpollUdp(threads);
      }
      default -> EpollUdp.available() ? new EpollUdp(threads) : new NioUdp(threads);
    };
  }
}

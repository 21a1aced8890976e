package dev.switchboard.turn.listen;

import dev.switchboard.turn.allocation.ClientLink;
import dev.switchboard.turn.allocation.FiveTuple;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One UDP socket on the TURN port and the thread that reads it. Several share the port (SO_REUSEPORT): the
 * kernel hashes each client's address to one of them, so a client always meets the same reader.
 */
public final class UdpListener implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(UdpListener.class.getName());
  private static final int MAX_PACKET = 65_536;
  /** Capped by net.core.rmem_max / wmem_max; larger values are harmless where the kernel allows less. */
  private static final int BUFFER = 4 * 1024 * 1024;

  private final DatagramChannel socket;
  private final InetSocketAddress local;
  private volatile boolean running = true;

  private UdpListener(DatagramChannel socket) throws IOException {
    this.socket = socket;
    this.local = (InetSocketAddress) socket.getLocalAddress();
  }

  /** @param shared whether other listeners will bind the same port */
  public static UdpListener bind(InetAddress ip, int port, boolean shared) throws IOException {
    DatagramChannel socket = DatagramChannel.open();
    try {
      if (shared) {
        socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      // bursts arrive while a packet thread is descheduled: room in the kernel buffer instead of drops
      socket.setOption(StandardSocketOptions.SO_RCVBUF, BUFFER);
      socket.setOption(StandardSocketOptions.SO_SNDBUF, BUFFER);
      socket.bind(new InetSocketAddress(ip, port));
      return new UdpListener(socket);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  public InetSocketAddress local() {
    return local;
  }

  /** Reads until closed; run it on a thread of its own. */
  public void run(PacketHandler handler) {
    ByteBuffer in = ByteBuffer.allocateDirect(MAX_PACKET);
    while (running) {
      try {
        in.clear();
        InetSocketAddress from = (InetSocketAddress) socket.receive(in);
        if (from != null) {
          handler.onPacket(in, 0, in.position(), new ClientLink.Udp(socket, FiveTuple.udp(from, local)));
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "UDP packet dropped", e);
      }
    }
  }

  @Override
  public void close() {
    running = false;
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}

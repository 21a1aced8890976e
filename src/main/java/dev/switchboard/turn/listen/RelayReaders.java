package dev.switchboard.turn.listen;

import dev.switchboard.turn.allocation.Allocation;
import dev.switchboard.turn.allocation.NioRelaySocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The peer side: relay sockets spread over a few selectors, one thread each; an allocation stays with one.
 * Forwarding to a client never blocks here (UDP sends, or a TCP connection's bounded queue).
 */
final class RelayReaders implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RelayReaders.class.getName());
  private static final int MAX_PACKET = 65_536;

  private record Reader(Selector selector, ConcurrentLinkedQueue<Allocation> toRegister) {
  }

  private final PeerPacketHandler peers;
  private final List<Reader> readers = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private volatile boolean running = true;

  RelayReaders(PeerPacketHandler peers) {
    this.peers = peers;
  }

  void start(int threads) throws IOException {
    for (int i = 0; i < Math.max(1, threads); i++) {
      Reader reader = new Reader(Selector.open(), new ConcurrentLinkedQueue<>());
      readers.add(reader);
      Thread thread = new Thread(() -> run(reader), "turn-relay-" + i);
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Hands a new allocation's relay socket to the next selector, round robin. */
  void add(Allocation allocation) {
    Reader reader = readers.get(Math.floorMod(next.getAndIncrement(), readers.size()));
    reader.toRegister().add(allocation);
    reader.selector().wakeup();
  }

  private void run(Reader reader) {
    Selector selector = reader.selector();
    ByteBuffer out = ByteBuffer.allocateDirect(peers.peerPrefix() + MAX_PACKET + 4);
    while (running) {
      try {
        Allocation pending;
        while ((pending = reader.toRegister().poll()) != null) {
          try {
            ((NioRelaySocket) pending.relay).channel().register(selector, SelectionKey.OP_READ, pending);
          } catch (ClosedChannelException ended) {
            // ended before its first packet
          }
        }
        selector.select(1000);
        for (SelectionKey key : selector.selectedKeys()) {
          if (key.isValid() && key.isReadable()) {
            Allocation allocation = (Allocation) key.attachment();
            drain(allocation, (NioRelaySocket) allocation.relay, out);
          }
        }
        selector.selectedKeys().clear();
      } catch (ClosedSelectorException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "relay read failed", e);
      }
    }
  }

  /**
   * Reads what peers sent to the allocation's relay socket: at most 64 datagrams, so that one busy allocation
   * does not starve the others on its thread.
   */
  private void drain(Allocation allocation, NioRelaySocket relay, ByteBuffer out) throws IOException {
    int prefix = peers.peerPrefix();
    for (int i = 0; i < 64; i++) {
      out.clear().position(prefix);
      SocketAddress from = relay.channel().receive(out);
      if (from == null) {
        return;
      }
      peers.onPeerPacket(allocation, out, out.position() - prefix, (InetSocketAddress) from);
    }
  }

  @Override
  public void close() {
    running = false;
    for (Reader reader : readers) {
      try {
        reader.selector().close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}

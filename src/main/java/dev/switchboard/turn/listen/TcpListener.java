package dev.switchboard.turn.listen;

import dev.switchboard.turn.allocation.FiveTuple;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * TURN over TCP without a thread per connection: a few selector loops (one accepts), each serving many
 * connections with non-blocking reads and writes. Connections are capped in total and per source address, and
 * one that has not authenticated within {@link Limits#unauthenticatedMillis} is closed: an idle socket costs a
 * file descriptor and a selection key, never a thread or a frame-sized buffer.
 */
public final class TcpListener implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TcpListener.class.getName());

  /** @param maxQueuedBytes what one connection may have waiting to be written before packets to it are dropped */
  public record Limits(int maxConnections, int maxPerAddress, long unauthenticatedMillis, int maxQueuedBytes) {
    public static final Limits DEFAULT = new Limits(10_000, 200, 10_000, 256 * 1024);
  }

  /** Packets dropped because a connection's outbound queue was full. */
  public final LongAdder dropped = new LongAdder();
  /** Connections closed at once for a cap. */
  public final LongAdder refused = new LongAdder();
  /** Connections closed for not authenticating in time. */
  public final LongAdder timedOut = new LongAdder();
  private final ServerSocketChannel server;
  private final InetSocketAddress local;
  private final Limits limits;
  private final Clock clock;
  private final List<Loop> loops = new ArrayList<>();
  private final AtomicInteger open = new AtomicInteger();
  private final Map<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
  private final AtomicInteger nextLoop = new AtomicInteger();
  private volatile boolean running = true;
  private PacketHandler handler;

  private TcpListener(ServerSocketChannel server, Limits limits, Clock clock) throws IOException {
    this.server = server;
    this.local = (InetSocketAddress) server.getLocalAddress();
    this.limits = limits;
    this.clock = clock;
  }

  public static TcpListener bind(InetAddress ip, int port, Limits limits, Clock clock) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.bind(new InetSocketAddress(ip, port), 1024);
      server.configureBlocking(false);
      return new TcpListener(server, limits, clock);
    } catch (IOException e) {
      server.close();
      throw e;
    }
  }

  public InetSocketAddress local() {
    return local;
  }

  public int connectionCount() {
    return open.get();
  }

  /** Starts {@code threads} loops, the first of which also accepts. */
  public void start(PacketHandler handler, int threads) throws IOException {
    this.handler = handler;
    for (int i = 0; i < Math.max(1, threads); i++) {
      loops.add(new Loop(Selector.open()));
    }
    server.register(loops.get(0).selector, SelectionKey.OP_ACCEPT);
    for (int i = 0; i < loops.size(); i++) {
      Thread thread = new Thread(loops.get(i)::run, "turn-tcp-" + i);
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void accept() throws IOException {
    SocketChannel socket;
    while ((socket = server.accept()) != null) {
      InetSocketAddress remote = (InetSocketAddress) socket.getRemoteAddress();
      if (!admit(remote.getAddress())) {
        refused.increment();
        socket.close();
        continue;
      }
      try {
        socket.configureBlocking(false);
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Loop loop = loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
        FiveTuple tuple = FiveTuple.tcp(remote, (InetSocketAddress) socket.getLocalAddress());
        loop.adopt(new TcpConnection(socket, tuple, loop, limits.maxQueuedBytes(), clock.millis()));
      } catch (IOException e) {
        leave(remote.getAddress());
        socket.close();
      }
    }
  }

  /** Counts a connection in against both caps, or refuses it with nothing counted. */
  private boolean admit(InetAddress address) {
    if (open.incrementAndGet() > limits.maxConnections()) {
      open.decrementAndGet();
      return false;
    }
    boolean[] admitted = new boolean[1];
    perAddress.compute(address, (a, count) -> {
      int current = count == null ? 0 : count;
      admitted[0] = current < limits.maxPerAddress();
      return admitted[0] ? current + 1 : count;
    });
    if (!admitted[0]) {
      open.decrementAndGet();
    }
    return admitted[0];
  }

  private void leave(InetAddress address) {
    open.decrementAndGet();
    perAddress.computeIfPresent(address, (a, count) -> count <= 1 ? null : count - 1);
  }

  @Override
  public void close() {
    running = false;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Loop loop : loops) {
      loop.connections.forEach(loop::close);
      try {
        loop.selector.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** One selector and its thread. */
  final class Loop {
    final LongAdder dropped = TcpListener.this.dropped;
    private final Selector selector;
    private final Set<TcpConnection> connections = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<TcpConnection> adopted = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<TcpConnection> writable = new ConcurrentLinkedQueue<>();
    private long checkedAt;

    private Loop(Selector selector) {
      this.selector = selector;
    }

    private void adopt(TcpConnection connection) {
      connections.add(connection);
      adopted.add(connection);
      selector.wakeup();
    }

    /** From any thread: the connection has queued bytes to write once the socket can take them. */
    void wantWrite(TcpConnection connection) {
      writable.add(connection);
      selector.wakeup();
    }

    void close(TcpConnection connection) {
      if (connection.markClosed()) {
        connections.remove(connection);
        leave(connection.remote().getAddress());
        handler.onClosed(connection);
      }
    }

    private void run() {
      ByteBuffer shared = FrameReader.sharedBuffer();
      while (running) {
        try {
          selector.select(250);
          register();
          for (SelectionKey key : selector.selectedKeys()) {
            serve(key, shared);
          }
          selector.selectedKeys().clear();
          closeUnauthenticated();
        } catch (ClosedSelectorException e) {
          return;
        } catch (IOException | RuntimeException e) {
          LOG.log(Level.FINE, "TCP loop", e);
        }
      }
    }

    private void register() {
      TcpConnection connection;
      while ((connection = adopted.poll()) != null) {
        try {
          if (!connection.isClosed()) {
            connection.key = connection.socketChannel().register(selector, SelectionKey.OP_READ, connection);
          }
        } catch (IOException e) {
          close(connection);
        }
      }
      while ((connection = writable.poll()) != null) {
        SelectionKey key = connection.key;
        if (key != null && key.isValid()) {
          key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
      }
    }

    private void serve(SelectionKey key, ByteBuffer shared) throws IOException {
      if (!key.isValid()) {
        return;
      }
      if (key.isAcceptable()) {
        accept();
        return;
      }
      TcpConnection connection = (TcpConnection) key.attachment();
      try {
        if (key.isWritable()) {
          connection.flush();
        }
        if (key.isValid() && key.isReadable() && !connection.read(shared, handler)) {
          close(connection);
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "TCP client " + connection.remote() + " dropped", e);
        close(connection);
      }
    }

    private void closeUnauthenticated() {
      long now = clock.millis();
      if (now - checkedAt < 1000 && now >= checkedAt) {
        return;
      }
      checkedAt = now;
      for (TcpConnection connection : connections) {
        if (!connection.isAuthenticated() && now - connection.openedAt >= limits.unauthenticatedMillis()) {
          timedOut.increment();
          close(connection);
        }
      }
    }
  }
}

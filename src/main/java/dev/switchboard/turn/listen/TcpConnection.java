package dev.switchboard.turn.listen;

import dev.switchboard.turn.allocation.ClientLink;
import dev.switchboard.turn.allocation.FiveTuple;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One TURN client over TCP. Reading and framing happen on its listener loop's thread. Sending may come from any
 * thread (a packet thread relaying a peer's datagram, a request reply): it writes what the socket takes at once
 * and queues the rest up to {@code maxQueuedBytes}; past that a packet is dropped and counted, never waited for,
 * so a client that stops reading slows down no one else.
 */
final class TcpConnection implements ClientLink {
  private final SocketChannel socket;
  private final FiveTuple fiveTuple;
  private final TcpListener.Loop loop;
  private final int maxQueuedBytes;
  final long openedAt;
  private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
  private int queuedBytes;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean authenticated;
  SelectionKey key;
  private final FrameReader frames = new FrameReader();

  TcpConnection(SocketChannel socket, FiveTuple fiveTuple, TcpListener.Loop loop, int maxQueuedBytes, long openedAt) {
    this.socket = socket;
    this.fiveTuple = fiveTuple;
    this.loop = loop;
    this.maxQueuedBytes = maxQueuedBytes;
    this.openedAt = openedAt;
  }

  @Override
  public FiveTuple fiveTuple() {
    return fiveTuple;
  }

  @Override
  public void authenticated() {
    authenticated = true;
  }

  SocketChannel socketChannel() {
    return socket;
  }

  boolean isAuthenticated() {
    return authenticated;
  }

  boolean isClosed() {
    return closed.get();
  }

  @Override
  public void send(ByteBuffer data) {
    boolean wantWrite;
    int start = data.position();
    synchronized (this) {
      if (closed.get()) {
        return;
      }
      try {
        if (queue.isEmpty()) {
          socket.write(data); // non-blocking: takes what fits in the socket buffer
          if (!data.hasRemaining()) {
            return;
          }
        }
      } catch (IOException e) {
        loop.close(this);
        return;
      }
      // a frame the socket took in part must still be finished, or the stream loses its framing
      if (data.position() == start && queuedBytes + data.remaining() > maxQueuedBytes) {
        loop.dropped.increment();
        return;
      }
      ByteBuffer copy = ByteBuffer.allocate(data.remaining());
      copy.put(data).flip();
      queue.add(copy);
      queuedBytes += copy.remaining();
      wantWrite = queue.size() == 1;
    }
    if (wantWrite) {
      loop.wantWrite(this);
    }
  }

  /** On the loop thread when the socket can take more: writes queued frames in order. */
  void flush() throws IOException {
    synchronized (this) {
      while (!queue.isEmpty()) {
        ByteBuffer head = queue.peek();
        int before = head.remaining();
        socket.write(head);
        queuedBytes -= before - head.remaining();
        if (head.hasRemaining()) {
          return;
        }
        queue.poll();
      }
      key.interestOps(SelectionKey.OP_READ);
    }
  }

  /**
   * On the loop thread: reads what arrived into the loop's shared buffer and hands every complete frame over.
   * @return false when the connection ended or sent something that is not TURN
   */
  boolean read(ByteBuffer shared, PacketHandler handler) throws IOException {
    return frames.read(socket, shared, this, handler);
  }

  /** Closes the socket once; true for the caller that did. */
  boolean markClosed() {
    if (!closed.compareAndSet(false, true)) {
      return false;
    }
    synchronized (this) {
      queue.clear();
      queuedBytes = 0;
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    return true;
  }

  @Override
  public void close() {
    loop.close(this);
  }
}

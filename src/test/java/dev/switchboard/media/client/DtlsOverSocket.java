package dev.switchboard.media.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.bouncycastle.tls.DatagramTransport;

/**
 * bctls's view of the {@link MediaClient}'s socket during the handshake: the client's reader thread queues the
 * DTLS records it demultiplexed ({@link #received}), bctls polls them here; writes go straight to the node.
 * After the handshake nothing reads DTLS, so later records (a close_notify) are dropped instead of queued.
 */
final class DtlsOverSocket implements DatagramTransport {
  private static final int QUEUE = 64;

  private final DatagramSocket socket;
  private final Supplier<InetSocketAddress> node;
  private final BooleanSupplier closed;
  private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(QUEUE);
  private volatile boolean handshakeDone;

  DtlsOverSocket(DatagramSocket socket, Supplier<InetSocketAddress> node, BooleanSupplier closed) {
    this.socket = socket;
    this.node = node;
    this.closed = closed;
  }

  /** From the reader thread: copies, never blocks (a full queue drops; DTLS retransmits its flight). */
  void received(byte[] buf, int len) {
    if (!handshakeDone) {
      inbound.offer(Arrays.copyOf(buf, len));
    }
  }

  void handshakeDone() {
    handshakeDone = true;
    inbound.clear();
  }

  @Override
  public int getReceiveLimit() {
    return 2048;
  }

  /** What browsers put in one DTLS datagram, under any path MTU. */
  @Override
  public int getSendLimit() {
    return 1200;
  }

  @Override
  public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
    if (closed.getAsBoolean()) {
      throw new IOException("media client closed");
    }
    byte[] record;
    try {
      record = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted during the DTLS handshake");
    }
    if (record == null) {
      return -1;
    }
    int n = Math.min(len, record.length);
    System.arraycopy(record, 0, buf, off, n);
    return n;
  }

  @Override
  public void send(byte[] buf, int off, int len) throws IOException {
    socket.send(new DatagramPacket(buf, off, len, node.get()));
  }

  @Override
  public void close() {
    // The client owns the socket and closes it itself.
  }
}

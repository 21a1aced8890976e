package dev.switchboard.turn;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;

/** The path back to a TURN client: its UDP 5-tuple, or its TCP connection (which needs framing padding). */
interface ClientLink {
  InetSocketAddress remote();

  boolean stream();

  /** Sends the buffer's remaining bytes; errors mean the client is gone and are not the caller's problem. */
  void send(ByteBuffer data);

  void close();

  record Udp(DatagramChannel server, InetSocketAddress remote) implements ClientLink {
    @Override
    public boolean stream() {
      return false;
    }

    @Override
    public void send(ByteBuffer data) {
      try {
        server.send(data, remote);
      } catch (IOException e) {
        // UDP: a lost datagram, as on the wire
      }
    }

    @Override
    public void close() {
    }
  }

  final class Tcp implements ClientLink {
    private final SocketChannel socket;
    private final InetSocketAddress remote;

    Tcp(SocketChannel socket, InetSocketAddress remote) {
      this.socket = socket;
      this.remote = remote;
    }

    @Override
    public InetSocketAddress remote() {
      return remote;
    }

    @Override
    public boolean stream() {
      return true;
    }

    @Override
    public synchronized void send(ByteBuffer data) {
      try {
        while (data.hasRemaining()) {
          socket.write(data);
        }
      } catch (IOException e) {
        close();
      }
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }
}

package dev.switchboard.turn.listen;

import dev.switchboard.turn.allocation.Allocation;
import dev.switchboard.turn.allocation.NioRelaySocket;
import dev.switchboard.turn.allocation.RelayPorts;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/** The portable UDP engine: one blocking reader thread per listener socket, relay sockets on NIO selectors. */
public final class NioUdp implements UdpEngine {
  private final int threads;
  private final List<UdpListener> listeners = new ArrayList<>();
  private RelayReaders relayReaders;

  public NioUdp(int threads) {
    this.threads = Math.max(1, threads);
  }

  @Override
  public int bindListeners(InetAddress ip, int port, int count) throws IOException {
    try {
      for (int i = 0; i < count; i++) {
        UdpListener listener = UdpListener.bind(ip, port, count > 1);
        listeners.add(listener);
        port = listener.local().getPort();
      }
      return port;
    } catch (IOException e) {
      closeListeners();
      throw e;
    }
  }

  @Override
  public void start(PacketHandler clients, PeerPacketHandler peers) throws IOException {
    relayReaders = new RelayReaders(peers);
    relayReaders.start(threads);
    for (int i = 0; i < listeners.size(); i++) {
      UdpListener listener = listeners.get(i);
      Thread thread = new Thread(() -> listener.run(clients), "turn-udp-" + i);
      thread.setDaemon(true);
      thread.start();
    }
  }

  @Override
  public RelayPorts.Binder relayBinder() {
    return NioRelaySocket::bind;
  }

  /** Before {@link #start} (specs and the fuzz rig drive a server without its threads) nothing reads relay sockets. */
  @Override
  public void startRelaying(Allocation allocation) {
    if (relayReaders != null) {
      relayReaders.add(allocation);
    }
  }

  @Override
  public long droppedPackets() {
    return 0;
  }

  @Override
  public String name() {
    return "nio";
  }

  private void closeListeners() {
    listeners.forEach(UdpListener::close);
    listeners.clear();
  }

  @Override
  public void close() {
    closeListeners();
    if (relayReaders != null) {
      relayReaders.close();
    }
  }
}

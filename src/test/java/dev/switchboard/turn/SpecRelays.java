package dev.switchboard.turn;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Relays built directly for specs (no Vert.x, no node): on 127.0.0.1 with a kernel-picked port, the realm
 * "spec", credentials of the spec's own, and the spec's clock.
 */
final class SpecRelays {
  private SpecRelays() {
  }

  /** What a spec may vary; everything else is the same for every spec relay. */
  record Options(int userQuota, int totalQuota, int threads, int minPort, int maxPort, PeerPolicy policy, String io) {
    /** 100 allocations per user, 1,000 in all, one packet thread, ports 40000-49999, peers in 127/8 admitted. */
    static Options defaults() {
      return new Options(100, 1000, 1, 40000, 49999, loopbackPeersAdmitted(), "auto");
    }

    Options withQuotas(int userQuota, int totalQuota) {
      return new Options(userQuota, totalQuota, threads, minPort, maxPort, policy, io);
    }

    Options withThreads(int threads) {
      return new Options(userQuota, totalQuota, threads, minPort, maxPort, policy, io);
    }

    Options withPorts(int minPort, int maxPort) {
      return new Options(userQuota, totalQuota, threads, minPort, maxPort, policy, io);
    }

    Options withPolicy(PeerPolicy policy) {
      return new Options(userQuota, totalQuota, threads, minPort, maxPort, policy, io);
    }

    Options withIo(String io) {
      return new Options(userQuota, totalQuota, threads, minPort, maxPort, policy, io);
    }
  }

  /** Loopback peers admitted (the specs' peers live there), the relay's own address refused. */
  static PeerPolicy loopbackPeersAdmitted() {
    return new PeerPolicy(List.of("127.0.0.0/8"), List.of(loopback()));
  }

  /** A started relay; the caller closes it. */
  static TurnServer start(TurnCredentials credentials, Clock clock, Options options) throws Exception {
    InetAddress loopback = loopback();
    TurnSettings settings = new TurnSettings(loopback, 0, loopback, null, null, options.minPort(), options.maxPort(),
        "spec", options.userQuota(), 1000, options.totalQuota(), 10, 10, 0, 600, 3600, "Switchboard",
        options.threads(), options.io());
    LongTermAuth auth = new LongTermAuth("spec", credentials, Map.of(), new NonceService(600));
    Admission admission = new Admission(new Revocations(clock, Duration.ofHours(1)), options.userQuota(), 1000);
    TurnServer server = new TurnServer(settings, auth, options.policy(), admission, clock);
    server.start();
    return server;
  }

  /** A spec peer socket's address, as a relay client names it. */
  static InetSocketAddress address(DatagramSocket socket) {
    return new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort());
  }

  /** What arrives at the socket within its timeout, or null. */
  /**
   * A datagram the spec expects: waited for up to 5 s (the sockets' short timeouts are for proving that nothing
   * comes, and a busy CI machine can take longer than those to relay what does).
   */
  static byte[] awaitReceived(DatagramSocket socket) throws IOException {
    int shortTimeout = socket.getSoTimeout();
    socket.setSoTimeout(5_000);
    try {
      byte[] data = received(socket);
      if (data == null) {
        throw new AssertionError("nothing received within 5 s on " + socket.getLocalSocketAddress());
      }
      return data;
    } finally {
      socket.setSoTimeout(shortTimeout);
    }
  }

  static byte[] received(DatagramSocket socket) throws IOException {
    DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
    try {
      socket.receive(packet);
      return Arrays.copyOf(packet.getData(), packet.getLength());
    } catch (SocketTimeoutException nothing) {
      return null;
    }
  }

  private static InetAddress loopback() {
    return InetAddress.getLoopbackAddress();
  }
}

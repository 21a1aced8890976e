package dev.switchboard.turn;

import dev.switchboard.support.FakeClock;
import dev.switchboard.support.TestNode;
import dev.switchboard.support.TurnTestClient;
import dev.switchboard.support.Wait;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TURN over TCP: what one connection may cost the relay and everyone else on it. */
@Timeout(60)
class TurnTcpSpecTest {
  private static final String SECRET = "tcp-secret";
  private final FakeClock clock = FakeClock.now();
  private final TurnCredentials credentials = new TurnCredentials(List.of(SECRET), Duration.ofHours(1));
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** One packet thread: every allocation shares the same relay reader. */
  private TurnServer server() throws Exception {
    return opened(SpecRelays.start(credentials, clock, SpecRelays.Options.defaults()));
  }

  private <T extends AutoCloseable> T opened(T closeable) {
    open.add(closeable);
    return closeable;
  }

  private TurnCredential credential(String peerId) {
    return credentials.issue(peerId, null, clock.epochSeconds());
  }

  private DatagramSocket peer() throws Exception {
    DatagramSocket peer = opened(new DatagramSocket(0, InetAddress.getByName("127.0.0.1")));
    peer.setSoTimeout(1000);
    return peer;
  }

  private static InetSocketAddress address(DatagramSocket socket) {
    return new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort());
  }

  @Test
  void a_tcp_client_that_allocates_permits_a_peer_and_stops_reading_does_not_delay_udp_clients() throws Exception {
    TurnServer server = server();
    TurnCredential slowCredential = credential("slow");
    TurnTestClient slow = opened(TurnTestClient.tcp(server.port(), slowCredential.username(), slowCredential.password()));
    DatagramSocket flooder = peer();
    InetSocketAddress slowRelay = slow.allocate();
    assertTrue(TurnTestClient.success(slow.channelBind(0x4000, address(flooder))));
    // from here on the slow client reads nothing: what the relay sends it piles up in the socket buffers
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicInteger sent = new AtomicInteger();
    Thread flood = new Thread(() -> {
      byte[] payload = new byte[1000];
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      try {
        while (flooding.get() && sent.get() < 200_000 && System.nanoTime() < until) {
          flooder.send(new DatagramPacket(payload, payload.length, slowRelay));
          if (sent.incrementAndGet() % 100 == 0) {
            Thread.sleep(1);
          }
        }
      } catch (Exception stopped) {
        // the socket closed at the end of the test
      }
    }, "flooder");
    flood.start();
    try {
      Thread.sleep(1500); // long enough to fill the slow client's socket buffers many times over
      TurnCredential fastCredential = credential("fast");
      TurnTestClient fast = opened(new TurnTestClient(server.port(), fastCredential.username(), fastCredential.password()));
      DatagramSocket fastPeer = peer();
      InetSocketAddress fastRelay = fast.allocate();
      assertTrue(TurnTestClient.success(fast.channelBind(0x4001, address(fastPeer))));
      for (int i = 0; i < 5; i++) {
        byte[] ping = {(byte) i};
        fastPeer.send(new DatagramPacket(ping, 1, fastRelay));
        byte[] frame;
        try {
          frame = fast.receiveRaw();
        } catch (SocketTimeoutException stalled) {
          throw new AssertionError("the UDP client's data waited behind the slow TCP reader (packet " + i + ", "
              + sent.get() + " sent to the slow client)");
        }
        assertEquals(5, frame.length, "ChannelData with one byte");
        assertEquals(i, frame[4]);
      }
      assertTrue(server.tcpDroppedPackets() > 0, "packets for the slow reader were dropped and counted");
    } finally {
      flooding.set(false);
      flood.join(5000);
    }
  }

  private static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  @Test
  void three_hundred_idle_tcp_connections_cost_no_threads() throws Exception {
    TurnServer server = server();
    int before = threads();
    for (int i = 0; i < 300; i++) {
      // from three source addresses: one address may hold 200
      opened(new Socket(InetAddress.getByName("127.0.0.1"), server.port(), InetAddress.getByName("127.0.0." + (1 + i % 3)), 0));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (server.tcpConnectionCount() < 300 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(300, server.tcpConnectionCount(), "all accepted");
    int added = threads() - before;
    assertTrue(added < 5, added + " threads for 300 idle connections");
  }

  @Test
  void an_unauthenticated_tcp_connection_is_closed_after_10_seconds_and_an_authenticated_one_is_not() throws Exception {
    TurnServer server = server();
    Socket idle = opened(new Socket(InetAddress.getByName("127.0.0.1"), server.port()));
    idle.setSoTimeout(5000);
    TurnCredential credential = credential("busy");
    TurnTestClient busy = opened(TurnTestClient.tcp(server.port(), credential.username(), credential.password()));
    busy.allocate();
    clock.advance(Duration.ofSeconds(11));
    assertEquals(-1, idle.getInputStream().read(), "closed by the relay");
    assertTrue(TurnTestClient.success(busy.refresh(600)), "the authenticated connection stays");
  }

  @Test
  void tcp_connections_are_capped_per_source_address() throws Exception {
    TurnServer server = server();
    for (int i = 0; i < 200; i++) {
      opened(new Socket(InetAddress.getByName("127.0.0.1"), server.port()));
    }
    Socket over = opened(new Socket(InetAddress.getByName("127.0.0.1"), server.port()));
    over.setSoTimeout(3000);
    assertEquals(-1, over.getInputStream().read(), "the 201st connection from one address is closed at once");
    Socket elsewhere = opened(new Socket(InetAddress.getByName("127.0.0.1"), server.port(),
        InetAddress.getByName("127.0.0.2"), 0));
    elsewhere.setSoTimeout(300);
    try {
      elsewhere.getInputStream().read();
      throw new AssertionError("another address's connection was closed");
    } catch (SocketTimeoutException stillOpen) {
      // expected: nothing to read, not closed
    }
  }

  /** A meter of the node's scrape, or -1 when absent. */
  private static double meter(TestNode node, String name) {
    return node.node().metrics().scrape().lines().filter(l -> l.startsWith(name + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(name.length() + 1))).orElse(-1.0);
  }

  @Test
  void a_configured_cap_of_3_connections_per_address_is_enforced() throws Exception {
    Vertx vertx = Vertx.vertx();
    TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_SECRET", SECRET,
        "SWITCHBOARD_TURN_TCP_MAX_CONNECTIONS_PER_IP", "3"));
    open.add(() -> {
      node.stop();
      Wait.on(vertx.close(), 10);
    });
    List<Socket> admitted = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      admitted.add(opened(new Socket(InetAddress.getByName("127.0.0.1"), node.node().turnPort())));
      int expected = i;
      // one at a time: acceptors on several event loops may take simultaneous connections in either order
      Wait.until(() -> meter(node, "switchboard_turn_tcp_connections") == expected, Duration.ofSeconds(5));
    }
    Socket fourth = opened(new Socket(InetAddress.getByName("127.0.0.1"), node.node().turnPort()));
    fourth.setSoTimeout(3000);
    assertEquals(-1, fourth.getInputStream().read(), "the 4th connection from one address is closed at once");
    assertEquals(1.0, meter(node, "switchboard_turn_tcp_refused_connections_total"));
    for (Socket socket : admitted) {
      socket.setSoTimeout(300);
      try {
        socket.getInputStream().read();
        throw new AssertionError("an admitted connection was closed");
      } catch (SocketTimeoutException stillOpen) {
        // expected: nothing to read, not closed
      }
    }
  }
}

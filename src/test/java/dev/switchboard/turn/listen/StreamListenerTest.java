package dev.switchboard.turn.listen;

import dev.switchboard.support.FakeClock;
import dev.switchboard.turn.allocation.ClientLink;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stream listener alone, with a handler that records frames: framing, closing, caps and the send queue. */
@Timeout(30)
class StreamListenerTest {
  private static final Duration TEN_SECONDS = Duration.ofSeconds(10);
  private final FakeClock clock = FakeClock.now();
  private final Vertx vertx = Vertx.vertx();
  private final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<ClientLink> links = new LinkedBlockingQueue<>();
  private final List<ClientLink> closed = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();
  private StreamListener listener;
  private int port;
  private Socket client;

  private final PacketHandler recorder = new PacketHandler() {
    @Override
    public void onPacket(ByteBuffer in, int off, int len, ClientLink link) {
      byte[] frame = new byte[len];
      in.get(off, frame);
      frames.add(frame);
      links.add(link);
    }

    @Override
    public void onClosed(ClientLink link) {
      closed.add(link);
    }
  };

  private void start(StreamLimits limits) throws Exception {
    listener = new StreamListener(vertx, limits, clock, recorder, null);
    port = listener.listen("127.0.0.1", 0, 2).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client = connect("127.0.0.1");
    // counted before any other connects: acceptors on two event loops take simultaneous connections in any order
    waitFor(() -> listener.connectionCount() == 1);
  }

  private Socket connect(String from) throws Exception {
    Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName(from), 0);
    socket.setSoTimeout(3000);
    sockets.add(socket);
    return socket;
  }

  @AfterEach
  void stop() throws Exception {
    for (Socket socket : sockets) {
      socket.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static byte[] channelData(int length) {
    byte[] frame = new byte[4 + ((length + 3) & ~3)];
    frame[0] = 0x40;
    frame[2] = (byte) (length >> 8);
    frame[3] = (byte) length;
    for (int i = 0; i < length; i++) {
      frame[4 + i] = (byte) i;
    }
    return frame;
  }

  private static void assertStaysOpen(Socket socket) throws Exception {
    socket.setSoTimeout(1500);
    try {
      socket.getInputStream().read();
      throw new AssertionError("the connection was closed");
    } catch (SocketTimeoutException stillOpen) {
      // expected: nothing to read, not closed
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not true within 5 s");
      }
      Thread.sleep(10);
    }
  }

  @Test
  void frames_split_and_joined_across_writes_arrive_whole_one_by_one() throws Exception {
    start(StreamLimits.TCP_DEFAULT);
    byte[] first = channelData(5);
    byte[] second = channelData(3000);
    byte[] both = new byte[first.length + second.length];
    System.arraycopy(first, 0, both, 0, first.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    OutputStream out = client.getOutputStream();
    out.write(both, 0, 2);
    out.flush();
    Thread.sleep(50);
    out.write(both, 2, first.length + 100);
    out.flush();
    Thread.sleep(50);
    out.write(both, first.length + 102, both.length - first.length - 102);
    out.flush();
    assertArrayEquals(first, frames.poll(3, TimeUnit.SECONDS));
    assertArrayEquals(second, frames.poll(3, TimeUnit.SECONDS));
  }

  @Test
  void bytes_that_are_neither_stun_nor_channel_data_close_the_connection_once() throws Exception {
    start(StreamLimits.TCP_DEFAULT);
    client.getOutputStream().write(new byte[] {(byte) 0xC0, 0, 0, 0});
    assertEquals(-1, client.getInputStream().read());
    waitFor(() -> !closed.isEmpty());
    Thread.sleep(100);
    assertEquals(1, closed.size());
    assertEquals(0, listener.connectionCount());
  }

  @Test
  void a_full_send_queue_drops_and_counts_without_blocking_the_sender() throws Exception {
    start(new StreamLimits(100, 10, TEN_SECONDS, 64 * 1024));
    client.setReceiveBufferSize(4096);
    client.getOutputStream().write(channelData(4));
    frames.poll(3, TimeUnit.SECONDS);
    ClientLink link = links.poll(3, TimeUnit.SECONDS);
    assertNotNull(link);
    byte[] payload = channelData(1000);
    long started = System.nanoTime();
    for (int i = 0; i < 20_000; i++) {
      link.send(ByteBuffer.wrap(payload)); // 20 MB to a client that reads nothing
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(millis < 2000, "sending never waited for the reader: " + millis + " ms");
    assertTrue(listener.droppedPackets.sum() > 10_000, listener.droppedPackets.sum() + " dropped");
    // what was queued is still delivered whole, in order, once the client reads
    byte[] frame = new byte[payload.length];
    new DataInputStream(client.getInputStream()).readFully(frame);
    assertArrayEquals(payload, frame);
  }

  @Test
  void an_unauthenticated_connection_is_closed_once_its_time_is_up() throws Exception {
    start(new StreamLimits(100, 10, TEN_SECONDS, 64 * 1024));
    client.getOutputStream().write(channelData(4));
    assertNotNull(links.poll(3, TimeUnit.SECONDS));
    clock.advance(Duration.ofSeconds(9));
    Socket authenticated = connect("127.0.0.1");
    authenticated.getOutputStream().write(channelData(4));
    links.poll(3, TimeUnit.SECONDS).authenticated();
    clock.advance(Duration.ofSeconds(2));
    assertEquals(-1, client.getInputStream().read(), "10 s without authenticating");
    assertEquals(1, listener.unauthenticatedClosed.sum());
    assertStaysOpen(authenticated);
  }

  @Test
  void connections_over_the_total_cap_are_refused() throws Exception {
    start(new StreamLimits(1, 1, TEN_SECONDS, 64 * 1024));
    Socket second = connect("127.0.0.2");
    assertEquals(-1, second.getInputStream().read());
    assertEquals(1, listener.refusedConnections.sum());
    assertStaysOpen(client);
  }

  @Test
  void connections_over_a_small_per_address_cap_are_refused_and_other_addresses_still_get_in() throws Exception {
    start(new StreamLimits(100, 3, TEN_SECONDS, 64 * 1024));
    // one after the other: two acceptors on two event loops would otherwise take them in either order
    Socket second = connect("127.0.0.1");
    waitFor(() -> listener.connectionCount() == 2);
    Socket third = connect("127.0.0.1");
    waitFor(() -> listener.connectionCount() == 3);
    Socket fourth = connect("127.0.0.1");
    assertEquals(-1, fourth.getInputStream().read(), "the 4th connection from one address is closed at once");
    Socket elsewhere = connect("127.0.0.2");
    waitFor(() -> listener.connectionCount() == 4);
    for (Socket open : List.of(client, second, third, elsewhere)) {
      assertStaysOpen(open);
    }
    assertEquals(1, listener.refusedConnections.sum());
    client.close();
    waitFor(() -> listener.connectionCount() == 3);
    assertStaysOpen(connect("127.0.0.1")); // a closed connection gives its place back
  }
}

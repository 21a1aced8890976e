package dev.switchboard.media.transport;

import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The port over real UDP on 127.0.0.1, with each transport. */
class MediaPortTest {
  private static final IceCredentials LOCAL = new IceCredentials("LoCaLuF1", "localPasswordOf24chars+/");
  private static final IceCredentials REMOTE = new IceCredentials("rEmO", "remotePasswordOf24chars/");

  private MediaPort port;
  private DatagramSocket client;

  private MediaPort bind(MediaPort.Io io) throws IOException {
    assumeTrue(io != MediaPort.Io.EPOLL || Epoll.isAvailable(), "no native epoll here");
    port = MediaPort.bind("127.0.0.1", 0, io);
    client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    client.setSoTimeout(3_000);
    return port;
  }

  @AfterEach
  void close() throws Exception {
    if (client != null) {
      client.close();
    }
    if (port != null) {
      port.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }

  private void sendFromClient(byte[] bytes) throws IOException {
    client.send(new DatagramPacket(bytes, bytes.length, port.localAddress()));
  }

  private byte[] receiveAtClient() throws IOException {
    DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
    client.receive(packet);
    return Arrays.copyOf(packet.getData(), packet.getLength());
  }

  @ParameterizedTest
  @EnumSource(value = MediaPort.Io.class, names = {"EPOLL", "NIO"})
  @Timeout(20)
  void a_check_through_the_port_the_registry_and_ice_lite_gets_an_answer_verifiable_with_the_local_pwd(
      MediaPort.Io io) throws Exception {
    bind(io);
    assertEquals(io.name().toLowerCase(), port.engine());
    TransportSessions sessions = new TransportSessions(port, System::currentTimeMillis,
        TransportSessions.Limits.defaults());
    RecordingHandler handler = new RecordingHandler();
    // the registry belongs to the packet thread: sessions are registered there
    TransportSession session = CompletableFuture
        .supplyAsync(() -> sessions.register(LOCAL, REMOTE, handler), port::execute).get(5, TimeUnit.SECONDS);
    port.start(sessions::onDatagram);

    sendFromClient(StunChecks.check(LOCAL.ufrag() + ":" + REMOTE.ufrag(), LOCAL.pwd(), true));
    byte[] answer = receiveAtClient();

    assertEquals(0x0101, StunChecks.type(answer));
    assertTrue(StunChecks.verifies(answer, LOCAL.pwd()));
    assertEquals(client.getLocalSocketAddress(), StunChecks.mapped(answer));
    InetSocketAddress selected = CompletableFuture.supplyAsync(session::selected, port::execute)
        .get(5, TimeUnit.SECONDS);
    assertEquals(client.getLocalSocketAddress(), selected);
    assertEquals(1, port.received());
    assertEquals(1, port.sent());
  }

  @ParameterizedTest
  @EnumSource(value = MediaPort.Io.class, names = {"EPOLL", "NIO"})
  @Timeout(20)
  void datagrams_up_to_2048_bytes_arrive_whole_and_larger_ones_are_dropped(MediaPort.Io io) throws Exception {
    bind(io);
    BlockingQueue<byte[]> arrived = new ArrayBlockingQueue<>(8);
    port.start((from, buf, off, len) -> {
      assertTrue(buf.length >= MediaPort.MAX_DATAGRAM + 16, "room for an SRTP tag after the largest datagram");
      arrived.add(Arrays.copyOfRange(buf, off, off + len));
    });
    byte[] largest = new byte[MediaPort.MAX_DATAGRAM];
    Arrays.fill(largest, (byte) 0x80);
    byte[] tooLarge = new byte[MediaPort.MAX_DATAGRAM + 1];
    byte[] small = {(byte) 0x80, 96, 1};

    sendFromClient(tooLarge);
    sendFromClient(largest);
    sendFromClient(small);

    assertArrayEquals(largest, arrived.poll(5, TimeUnit.SECONDS));
    assertArrayEquals(small, arrived.poll(5, TimeUnit.SECONDS));
    assertEquals(1, port.dropped());
    assertEquals(2, port.received());
  }

  @ParameterizedTest
  @EnumSource(value = MediaPort.Io.class, names = {"EPOLL", "NIO"})
  @Timeout(20)
  void send_from_any_thread_copies_the_bytes_and_reaches_the_peer(MediaPort.Io io) throws Exception {
    bind(io);
    port.start((from, buf, off, len) -> { });
    InetSocketAddress to = (InetSocketAddress) client.getLocalSocketAddress();
    byte[] buffer = {9, 1, 2, 3, 4, 5};

    port.send(to, buffer, 1, 4); // from the test thread: hops to the packet thread
    buffer[1] = 77; // the caller may reuse its buffer at once
    assertArrayEquals(new byte[] {1, 2, 3, 4}, receiveAtClient());

    port.execute(() -> port.send(to, new byte[] {5, 6}, 0, 2)); // on the packet thread: flushed at the turn's end
    assertArrayEquals(new byte[] {5, 6}, receiveAtClient());
    port.send(to, new byte[MediaPort.MAX_DATAGRAM + 1], 0, MediaPort.MAX_DATAGRAM + 1);
    assertEquals(1, port.dropped());
  }

  @ParameterizedTest
  @EnumSource(value = MediaPort.Io.class, names = {"EPOLL", "NIO"})
  @Timeout(20)
  void tasks_and_periodic_ticks_run_on_the_packet_thread_and_a_failing_tick_keeps_ticking(MediaPort.Io io)
      throws Exception {
    bind(io);
    CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
    port.execute(() -> onLoop.complete(port.inPacketThread()));
    assertTrue(onLoop.get(5, TimeUnit.SECONDS));

    CountDownLatch ticks = new CountDownLatch(3);
    ScheduledFuture<?> tick = port.schedule(() -> {
      ticks.countDown();
      throw new IllegalStateException("a failing tick");
    }, Duration.ofMillis(10));
    assertTrue(ticks.await(5, TimeUnit.SECONDS));
    tick.cancel(false);
  }

  @ParameterizedTest
  @EnumSource(value = MediaPort.Io.class, names = {"EPOLL", "NIO"})
  @Timeout(20)
  void close_completes_and_frees_the_port(MediaPort.Io io) throws Exception {
    bind(io);
    InetSocketAddress address = port.localAddress();
    assertNotEquals(0, address.getPort());
    assertNull(port.close().toCompletableFuture().get(5, TimeUnit.SECONDS));
    port.close().toCompletableFuture().get(5, TimeUnit.SECONDS); // again: nothing more to do

    MediaPort again = MediaPort.bind("127.0.0.1", address.getPort(), io);
    again.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}

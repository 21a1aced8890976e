package dev.switchboard.turn.listen;

import dev.switchboard.support.FakeClock;
import dev.switchboard.turn.allocation.ClientLink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The TCP listener alone, with a handler that records frames: framing, closing, caps and the outbound queue. */
@Timeout(20)
class TcpListenerTest {
  private final FakeClock clock = FakeClock.now();
  private final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<ClientLink> links = new LinkedBlockingQueue<>();
  private final List<ClientLink> closed = new CopyOnWriteArrayList<>();
  private TcpListener listener;
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

  private void start(TcpListener.Limits limits) throws Exception {
    listener = TcpListener.bind(InetAddress.getByName("127.0.0.1"), 0, limits, clock);
    listener.start(recorder, 2);
    client = new Socket(InetAddress.getByName("127.0.0.1"), listener.local().getPort());
    client.setSoTimeout(3000);
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (listener != null) {
      listener.close();
    }
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

  @Test
  void frames_split_and_joined_across_writes_arrive_whole_one_by_one() throws Exception {
    start(TcpListener.Limits.DEFAULT);
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
    start(TcpListener.Limits.DEFAULT);
    client.getOutputStream().write(new byte[] {(byte) 0xC0, 0, 0, 0});
    assertEquals(-1, client.getInputStream().read());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (closed.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(1, closed.size());
    assertEquals(0, listener.connectionCount());
  }

  @Test
  void a_full_outbound_queue_drops_and_counts_without_blocking_the_sender() throws Exception {
    start(new TcpListener.Limits(100, 10, 10_000, 64 * 1024));
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
    assertTrue(listener.dropped.sum() > 10_000, listener.dropped.sum() + " dropped");
    // what was queued is still delivered whole, in order, once the client reads
    byte[] frame = new byte[payload.length];
    new java.io.DataInputStream(client.getInputStream()).readFully(frame);
    assertArrayEquals(payload, frame);
  }

  @Test
  void an_unauthenticated_connection_is_closed_once_its_time_is_up() throws Exception {
    start(new TcpListener.Limits(100, 10, 10_000, 64 * 1024));
    client.getOutputStream().write(channelData(4));
    ClientLink link = links.poll(3, TimeUnit.SECONDS);
    assertNotNull(link);
    clock.advance(Duration.ofSeconds(9));
    Socket authenticated = new Socket(InetAddress.getByName("127.0.0.1"), listener.local().getPort());
    authenticated.getOutputStream().write(channelData(4));
    links.poll(3, TimeUnit.SECONDS).authenticated();
    clock.advance(Duration.ofSeconds(2));
    assertEquals(-1, client.getInputStream().read(), "10 s without authenticating");
    authenticated.setSoTimeout(1500);
    try {
      authenticated.getInputStream().read();
      throw new AssertionError("the authenticated connection was closed");
    } catch (java.net.SocketTimeoutException stillOpen) {
      // expected
    } finally {
      authenticated.close();
    }
  }

  @Test
  void connections_over_the_total_cap_are_refused() throws Exception {
    start(new TcpListener.Limits(1, 10, 10_000, 64 * 1024));
    try (Socket second = new Socket(InetAddress.getByName("127.0.0.1"), listener.local().getPort())) {
      second.setSoTimeout(3000);
      assertEquals(-1, second.getInputStream().read());
    }
    assertEquals(1, listener.refused.sum());
  }
}

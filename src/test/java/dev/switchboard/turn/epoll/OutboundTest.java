package dev.switchboard.turn.epoll;

import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A socket's send side on the epoll engine, on Netty's embedded channel: nothing reaches the "kernel" until a
 * flush, and the end of a loop turn is a step of the spec.
 */
@Timeout(10)
class OutboundTest {
  private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final LongAdder dropped = new LongAdder();
  private final List<Runnable> endOfTurn = new ArrayList<>();
  private final Outbound outbound = new Outbound(channel, new LoopFlusher(channel.eventLoop(), endOfTurn::add), dropped);

  private void endTurn() {
    endOfTurn.forEach(Runnable::run);
    endOfTurn.clear();
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private static ByteBuffer payload(int size) {
    return ByteBuffer.wrap(new byte[size]);
  }

  @Test
  void datagrams_of_one_loop_turn_leave_together_when_the_turn_ends() {
    for (int i = 0; i < 5; i++) {
      outbound.send(payload(100), PEER);
    }
    assertEquals(0, channel.outboundMessages().size(), "nothing is flushed in the middle of a turn");
    endTurn();
    assertEquals(5, channel.outboundMessages().size(), "one flush carries the whole turn");
    DatagramPacket first = channel.readOutbound();
    assertEquals(PEER, first.recipient());
    assertEquals(100, first.content().readableBytes());
    first.release();
  }

  @Test
  void a_socket_that_cannot_send_drops_and_counts_instead_of_queueing_without_bound() {
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 2048));
    for (int i = 0; i < 1000; i++) {
      outbound.send(payload(100), PEER);
    }
    long queued = 1000 - dropped.sum();
    assertTrue(queued <= 2048 / 100 + 1, "at most the high water mark stays queued, found " + queued);
    assertEquals(1000, queued + dropped.sum());
    endTurn();
    assertEquals(queued, channel.outboundMessages().size(), "what was not dropped is sent");
  }

  @Test
  void the_callers_buffer_is_copied_so_it_can_be_reused_at_once() {
    ByteBuffer reused = ByteBuffer.wrap(new byte[] {1, 2, 3});
    outbound.send(reused, PEER);
    reused.clear();
    reused.put(new byte[] {9, 9, 9});
    endTurn();
    DatagramPacket sent = channel.readOutbound();
    assertEquals(1, sent.content().getByte(0));
    sent.release();
  }
}

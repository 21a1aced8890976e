package dev.switchboard.turn.epoll;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * The sending side of one epoll datagram channel, bounded: while the datagrams queued and not yet taken by the
 * kernel exceed the channel's high water mark, new ones are dropped and counted (media: late is as bad as lost,
 * and memory stays bounded whatever a peer or client does). Writes on the channel's own loop are flushed once
 * per loop turn through its {@link LoopFlusher}; writes from other threads are flushed at once.
 */
final class Outbound {
  private final Channel channel;
  private final LoopFlusher flusher;
  private final LongAdder dropped;
  private boolean dirty;

  Outbound(Channel channel, LoopFlusher flusher, LongAdder dropped) {
    this.channel = channel;
    this.flusher = flusher;
    this.dropped = dropped;
  }

  /** Queues the buffer's remaining bytes (copied, the caller reuses its buffer) to {@code to}. */
  void send(ByteBuffer data, InetSocketAddress to) {
    if (!channel.isRegistered() || !channel.isWritable()) {
      dropped.increment();
      return;
    }
    int length = data.remaining();
    ByteBuf copy = channel.alloc().directBuffer(length, length);
    copy.writeBytes(data);
    DatagramPacket packet = new DatagramPacket(copy, to);
    if (flusher.loop().inEventLoop()) {
      channel.write(packet, channel.voidPromise());
      if (!dirty) {
        dirty = true;
        flusher.mark(this);
      }
    } else {
      channel.writeAndFlush(packet, channel.voidPromise());
    }
  }

  void flush() {
    dirty = false;
    channel.flush();
  }
}

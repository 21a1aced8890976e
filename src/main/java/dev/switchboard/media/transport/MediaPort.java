package dev.switchboard.media.transport;

import dev.switchboard.net.DatagramReader;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The media node's one UDP socket and its one event loop, the <b>packet thread</b>: every datagram is handed to the
 * {@link PacketHandler} there, scheduled ticks and {@link #execute} tasks run there, so the session registry, the
 * router and the SRTP contexts need no locks. Netty's native epoll transport reads up to {@link #BATCH} datagrams
 * per system call (recvmmsg) and writes a turn's datagrams in one sendmmsg; NIO is the portable fallback.
 *
 * <p>Receiving copies each datagram into one reused array of {@code MAX_DATAGRAM + TAIL_ROOM} bytes (the room lets
 * SRTP grow a packet in place); larger datagrams are dropped (media stays under the path MTU). Sending copies into
 * a pooled buffer and never blocks: datagrams written during one loop turn are flushed once at its end (the relay's
 * LoopFlusher pattern), and when the socket's queue is over its high water mark, or too many sends from other
 * threads are waiting for the loop, new datagrams are dropped and counted.
 */
public final class MediaPort implements DatagramSink {
  private static final Logger LOG = Logger.getLogger(MediaPort.class.getName());
  public static final int MAX_DATAGRAM = 2048;
  /** Bytes after the largest datagram in the receive array: SRTP tags (16, SRTCP 20) and then some. */
  public static final int TAIL_ROOM = 64;
  static final int BATCH = 16;
  /** Sends from other threads (handshake pool) queued for the loop at once; more are dropped. */
  private static final int MAX_HOPS = 4096;
  private static final int SOCKET_BUFFER = 4 * 1024 * 1024;
  private static final WriteBufferWaterMark QUEUE = new WriteBufferWaterMark(512 * 1024, 1024 * 1024);

  /** Which transport: epoll where available (AUTO), or one of them by name. */
  public enum Io { AUTO, EPOLL, NIO }

  /** Gets every datagram of the port on the packet thread; {@code buf} is reused once this returns. */
  @FunctionalInterface
  public interface PacketHandler {
    void onPacket(InetSocketAddress from, byte[] buf, int off, int len);
  }

  private final IoEventLoopGroup group;
  private final EventLoop loop;
  private final Channel channel;
  private final boolean epoll;
  private final byte[] in = new byte[MAX_DATAGRAM + TAIL_ROOM];
  private final LongAdder received = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final AtomicInteger hops = new AtomicInteger();
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Runnable flush = this::flush;
  private volatile PacketHandler handler;
  private boolean flushScheduled;

  private MediaPort(IoEventLoopGroup group, EventLoop loop, Channel channel, boolean epoll) {
    this.group = group;
    this.loop = loop;
    this.channel = channel;
    this.epoll = epoll;
  }

  /**
   * Binds the port now (so that a taken port shows at startup); nothing is read before {@link #start}.
   * Blocks the caller for the bind.
   *
   * @param port 0 lets the kernel choose; see {@link #localAddress()}
   */
  public static MediaPort bind(String host, int port, Io io) throws IOException {
    boolean epoll = switch (io) {
      case NIO -> false;
      case EPOLL -> {
        if (!Epoll.isAvailable()) {
          throw new IOException("epoll asked for, but Netty's native epoll transport is not available: "
              + Epoll.unavailabilityCause());
        }
        yield true;
      }
      case AUTO -> Epoll.isAvailable();
    };
    InetAddress ip = InetAddress.getByName(host);
    SocketProtocolFamily family = ip instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
    IoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("media-packet", true),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    EventLoop loop = (EventLoop) group.next();
    Reader reader = new Reader();
    // one byte over the limit, so that a datagram cut at the buffer's end shows as too large and is dropped
    int slot = MAX_DATAGRAM + 1;
    Bootstrap bootstrap = new Bootstrap()
        .group(loop)
        .channelFactory(() -> epoll ? new EpollDatagramChannel(family) : new NioDatagramChannel(family))
        .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
        .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(epoll ? slot * BATCH : slot))
        .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, QUEUE)
        .option(ChannelOption.AUTO_READ, false)
        .handler(reader);
    if (epoll) {
      bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, slot);
    }
    Channel channel;
    try {
      channel = bootstrap.bind(ip, port).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new IOException("interrupted while binding the media port", e);
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      // Netty's native errors are IOExceptions of their own: callers tell a taken port by BindException
      BindException taken = new BindException("cannot bind UDP " + ip.getHostAddress() + ":" + port + ": " + e.getMessage());
      taken.initCause(e);
      throw taken;
    }
    MediaPort mediaPort = new MediaPort(group, loop, channel, epoll);
    reader.port = mediaPort;
    return mediaPort;
  }

  /** Starts reading: every datagram goes to {@code handler} on the packet thread. */
  public void start(PacketHandler handler) {
    if (this.handler != null) {
      throw new IllegalStateException("the media port is started already");
    }
    this.handler = handler;
    channel.config().setAutoRead(true);
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** "epoll" or "nio". */
  public String engine() {
    return epoll ? "epoll" : "nio";
  }

  /**
   * Queues a copy of the bytes to {@code to}; any thread, never blocks. On the packet thread the datagram leaves
   * with the others of this loop turn; from another thread it is copied there and hops to the loop.
   */
  @Override
  public void send(InetSocketAddress to, byte[] buf, int off, int len) {
    if (len > MAX_DATAGRAM || !channel.isActive()) {
      dropped.increment();
      return;
    }
    if (loop.inEventLoop()) {
      write(copy(buf, off, len), to);
      return;
    }
    if (hops.incrementAndGet() > MAX_HOPS) {
      hops.decrementAndGet();
      dropped.increment();
      return;
    }
    ByteBuf copy = copy(buf, off, len);
    try {
      loop.execute(() -> {
        hops.decrementAndGet();
        write(copy, to);
      });
    } catch (RejectedExecutionException closing) {
      hops.decrementAndGet();
      copy.release();
      dropped.increment();
    }
  }

  private ByteBuf copy(byte[] buf, int off, int len) {
    return channel.alloc().directBuffer(len, len).writeBytes(buf, off, len);
  }

  /** Packet thread: queue on the channel, or drop when its queue is over the high water mark. */
  private void write(ByteBuf copy, InetSocketAddress to) {
    if (!channel.isActive() || !channel.isWritable()) {
      copy.release();
      dropped.increment();
      return;
    }
    channel.write(new DatagramPacket(copy, to), channel.voidPromise());
    sent.increment();
    if (!flushScheduled) {
      flushScheduled = true;
      // a task runs after the loop has handled every ready read of this wake-up: one flush per turn
      loop.execute(flush);
    }
  }

  private void flush() {
    flushScheduled = false;
    channel.flush();
  }

  /** Runs the task on the packet thread. @throws RejectedExecutionException once the port is closed */
  public void execute(Runnable task) {
    loop.execute(task);
  }

  /**
   * Runs the task on the packet thread every {@code period}, first after one period; an exception it throws is
   * logged and does not stop later runs. Cancel with the returned future.
   */
  public ScheduledFuture<?> schedule(Runnable task, Duration period) {
    long millis = Math.max(1, period.toMillis());
    return loop.scheduleAtFixedRate(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "periodic media task failed", e);
      }
    }, millis, millis, TimeUnit.MILLISECONDS);
  }

  public boolean inPacketThread() {
    return loop.inEventLoop();
  }

  /** Datagrams handed to the handler. */
  public long received() {
    return received.sum();
  }

  /** Datagrams queued to the socket. */
  public long sent() {
    return sent.sum();
  }

  /** Datagrams dropped: too large (either way), or the send queue was full or the port closed. */
  public long dropped() {
    return dropped.sum();
  }

  /** Closes the socket and stops the packet thread; completes when the thread has ended. Idempotent. */
  public CompletionStage<Void> close() {
    if (closing.compareAndSet(false, true)) {
      channel.close().addListener(closedChannel ->
          group.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(done -> closed.complete(null)));
    }
    return closed;
  }

  private void onDatagram(DatagramPacket packet) {
    ByteBuf content = packet.content();
    int length = content.readableBytes();
    if (length > MAX_DATAGRAM) {
      dropped.increment();
      return;
    }
    content.getBytes(content.readerIndex(), in, 0, length);
    received.increment();
    handler.onPacket(packet.sender(), in, 0, length);
  }

  /**
   * Hands datagrams to the port (pooled buffers released and failures contained by {@link DatagramReader}).
   */
  private static final class Reader extends DatagramReader {
    private volatile MediaPort port;

    @Override
    protected void read(DatagramPacket packet) {
      port.onDatagram(packet);
    }
  }
}

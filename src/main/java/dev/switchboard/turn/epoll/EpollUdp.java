package dev.switchboard.turn.epoll;

import dev.switchboard.net.DatagramReader;
import dev.switchboard.turn.allocation.Allocation;
import dev.switchboard.turn.allocation.FiveTuple;
import dev.switchboard.turn.allocation.RelayPorts;
import dev.switchboard.turn.allocation.RelaySocket;
import dev.switchboard.turn.listen.PacketHandler;
import dev.switchboard.turn.listen.PeerPacketHandler;
import dev.switchboard.turn.listen.UdpEngine;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
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
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The UDP engine on Netty's native epoll transport (Linux). Per event loop: one listener socket on the shared
 * TURN port, read with recvmmsg (up to {@link #BATCH} datagrams per system call), and the relay sockets of the
 * allocations its clients made. Everything one loop turn sends on a socket leaves in one sendmmsg call (see
 * {@link LoopFlusher}); buffers come from Netty's pool and go back to it, nothing is allocated per datagram but
 * the pooled buffer and its envelope.
 *
 * <p>Datagrams over {@link #MAX_DATAGRAM} bytes are cut at that size by the kernel and then dropped as malformed:
 * WebRTC media over TURN stays under the path MTU (about 1,200 bytes of payload).
 */
public final class EpollUdp implements UdpEngine {
  static final int MAX_DATAGRAM = 2048;
  static final int BATCH = 16;
  /**
   * Pooled buffers with per-thread caches: a batch (32 KiB) and a datagram's copy are served from the loop
   * thread's cache, never freshly allocated (and zeroed) per read.
   */
  private static final ByteBufAllocator BUFFERS = PooledByteBufAllocator.DEFAULT;
  private static final int LISTENER_BUFFER = 4 * 1024 * 1024;
  private static final int RELAY_BUFFER = 512 * 1024;
  /** Bytes a socket may have queued beyond what the kernel took before it drops (per socket, so bounded). */
  private static final WriteBufferWaterMark LISTENER_QUEUE = new WriteBufferWaterMark(512 * 1024, 1024 * 1024);
  private static final WriteBufferWaterMark RELAY_QUEUE = new WriteBufferWaterMark(64 * 1024, 128 * 1024);

  private final int threads;
  private final LongAdder dropped = new LongAdder();
  private final AtomicInteger nextLoop = new AtomicInteger();
  private final List<Channel> listeners = new ArrayList<>();
  private final List<LoopFlusher> loops = new ArrayList<>();
  private IoEventLoopGroup group;
  private PacketHandler clients;
  private PeerPacketHandler peers;
  private InetAddress ip;

  public EpollUdp(int threads) {
    this.threads = Math.max(1, threads);
  }

  public static boolean available() {
    return Epoll.isAvailable();
  }

  public static String unavailabilityCause() {
    Throwable cause = Epoll.unavailabilityCause();
    return cause == null ? "" : cause.toString();
  }

  @Override
  public String name() {
    return "epoll";
  }

  @Override
  public int bindListeners(InetAddress ip, int port, int count) throws IOException {
    // bound now, so that a taken port shows before start; reading starts at start, once the handlers exist
    group = new MultiThreadIoEventLoopGroup(Math.max(threads, count), new DefaultThreadFactory("turn-epoll", true),
        EpollIoHandler.newFactory());
    group.forEach(executor -> {
      LoopFlusher flusher = new LoopFlusher((EventLoop) executor);
      loops.add(flusher);
    });
    this.ip = ip;
    try {
      for (int i = 0; i < count; i++) {
        Channel listener = listener(loops.get(i % loops.size()), port, count > 1);
        listeners.add(listener);
        port = ((InetSocketAddress) listener.localAddress()).getPort();
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    return port;
  }

  private Channel listener(LoopFlusher flusher, int port, boolean shared) throws IOException {
    Bootstrap bootstrap = new Bootstrap()
        .group(flusher.loop())
        .channelFactory(() -> new EpollDatagramChannel(family(ip)))
        .option(ChannelOption.SO_RCVBUF, LISTENER_BUFFER)
        .option(ChannelOption.SO_SNDBUF, LISTENER_BUFFER)
        .option(EpollChannelOption.SO_REUSEPORT, shared)
        .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM * BATCH))
        .option(ChannelOption.ALLOCATOR, BUFFERS)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, LISTENER_QUEUE)
        .option(ChannelOption.AUTO_READ, false)
        .handler(new ListenerReader(flusher));
    try {
      return bootstrap.bind(ip, port).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while binding the TURN port", e);
    } catch (Exception e) {
      // Netty's native error is an IOException of its own; callers tell a taken port by BindException, as NIO throws
      BindException taken = new BindException("cannot bind UDP " + ip.getHostAddress() + ":" + port + ": " + e.getMessage());
      taken.initCause(e);
      throw taken;
    }
  }

  @Override
  public void start(PacketHandler clients, PeerPacketHandler peers) {
    this.clients = clients;
    this.peers = peers;
    listeners.forEach(listener -> listener.config().setAutoRead(true));
  }

  @Override
  public RelayPorts.Binder relayBinder() {
    return this::bindRelay;
  }

  /**
   * Binds on the calling thread (any thread: no loop is involved until the allocation starts), on a socket of
   * the address's own family: IPv4 relays use IPv4 sockets, not dual-stack ones with mapped addresses.
   */
  private RelaySocket bindRelay(InetSocketAddress address) throws IOException {
    EpollDatagramChannel channel = new EpollDatagramChannel(family(address.getAddress()));
    try {
      Socket socket = (Socket) channel.fd();
      socket.setReceiveBufferSize(RELAY_BUFFER);
      socket.bind(address);
    } catch (IOException | RuntimeException e) {
      channel.unsafe().closeForcibly();
      throw e;
    }
    // bound outside Netty's pipeline: the channel is active (and reads) as soon as it is registered
    channel.config().setOption(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true);
    channel.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM));
    channel.config().setAllocator(BUFFERS);
    channel.config().setWriteBufferWaterMark(RELAY_QUEUE);
    LoopFlusher flusher = loopOfCurrentThread();
    return new EpollRelaySocket(channel, flusher, new Outbound(channel, flusher, dropped));
  }

  private static SocketProtocolFamily family(InetAddress address) {
    return address instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
  }

  private LoopFlusher loopOfCurrentThread() {
    for (LoopFlusher flusher : loops) {
      if (flusher.loop().inEventLoop()) {
        return flusher;
      }
    }
    return loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
  }

  @Override
  public void startRelaying(Allocation allocation) {
    EpollRelaySocket relay = (EpollRelaySocket) allocation.relay;
    relay.channel.pipeline().addLast(new RelayReader(allocation));
    relay.flusher.loop().register(relay.channel);
  }

  @Override
  public long droppedPackets() {
    return dropped.sum();
  }

  @Override
  public void close() {
    listeners.forEach(Channel::close);
    listeners.clear();
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      group = null;
    }
    loops.clear();
  }

  /** Client datagrams on the TURN port: into the data path, read in place from Netty's pooled buffer. */
  private final class ListenerReader extends DatagramReader {
    private final LoopFlusher flusher;
    private Outbound outbound;
    private InetSocketAddress local;

    ListenerReader(LoopFlusher flusher) {
      this.flusher = flusher;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      outbound = new Outbound(ctx.channel(), flusher, dropped);
      local = new InetSocketAddress(ip, ((InetSocketAddress) ctx.channel().localAddress()).getPort());
      ctx.fireChannelActive();
    }

    @Override
    protected void read(DatagramPacket packet) {
      ByteBuf content = packet.content();
      int length = content.readableBytes();
      ByteBuffer in = content.nioBufferCount() == 1
          ? content.internalNioBuffer(content.readerIndex(), length)
          : content.nioBuffer();
      clients.onPacket(in, in.position(), length, new EpollUdpLink(outbound, FiveTuple.udp(packet.sender(), local)));
    }
  }

  /** Peer datagrams to one allocation's relay address: copied behind the header room, then to the data path. */
  private final class RelayReader extends DatagramReader {
    private final Allocation allocation;

    RelayReader(Allocation allocation) {
      this.allocation = allocation;
    }

    @Override
    protected void read(DatagramPacket packet) {
      ByteBuf content = packet.content();
      int length = content.readableBytes();
      int prefix = peers.peerPrefix();
      ByteBuffer out = PeerBuffers.get(prefix);
      out.clear().position(prefix);
      content.getBytes(content.readerIndex(), out.limit(prefix + length));
      out.limit(out.capacity());
      peers.onPeerPacket(allocation, out, length, packet.sender());
    }
  }

  /** One buffer per loop thread for peers' payloads with the header room in front. */
  private static final class PeerBuffers {
    private static final ThreadLocal<ByteBuffer> BUFFER = new ThreadLocal<>();

    static ByteBuffer get(int prefix) {
      ByteBuffer buffer = BUFFER.get();
      if (buffer == null) {
        buffer = ByteBuffer.allocateDirect(prefix + MAX_DATAGRAM + 4);
        BUFFER.set(buffer);
      }
      return buffer;
    }
  }
}

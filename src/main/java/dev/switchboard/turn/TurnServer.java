package dev.switchboard.turn;

import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ChannelNumberAttribute;
import org.ice4j.attribute.LifetimeAttribute;
import org.ice4j.attribute.NonceAttribute;
import org.ice4j.attribute.RealmAttribute;
import org.ice4j.attribute.RequestedTransportAttribute;
import org.ice4j.attribute.ReservationTokenAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.attribute.XorPeerAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Response;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A TURN server (RFC 8656) for UDP relays, reached over UDP and TCP. ice4j's codec reads and writes the
 * control messages; ChannelData and Send/Data indications are handled in reused buffers on dedicated
 * threads: one UDP reader, one thread per TCP client, one selector over every relay socket.
 */
public final class TurnServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TurnServer.class.getName());
  private static final int MAX_PACKET = 65_536;
  private static final int PEER_PREFIX = StunWire.dataIndicationPrefix(16);
  private static final long PERMISSION_MILLIS = 300_000;
  private static final long CHANNEL_MILLIS = 600_000;
  private static final long RESERVATION_MILLIS = 30_000;
  /** Capped by net.core.rmem_max / wmem_max; larger values are harmless where the kernel allows less. */
  private static final int LISTENER_BUFFER = 4 * 1024 * 1024;
  private static final int RELAY_BUFFER = 512 * 1024;
  /** Short standard phrases: error responses stay small (no amplification). */
  private static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(400, "Bad Request"),
      Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"), Map.entry(437, "Allocation Mismatch"),
      Map.entry(438, "Stale Nonce"), Map.entry(440, "Address Family not Supported"),
      Map.entry(441, "Wrong Credentials"), Map.entry(442, "Unsupported Transport Protocol"),
      Map.entry(443, "Peer Address Family Mismatch"), Map.entry(486, "Allocation Quota Reached"),
      Map.entry(508, "Insufficient Capacity"));

  private final TurnSettings settings;
  private final LongTermAuth auth;
  private final PeerPolicy policy;
  private final Admission admission;
  private final Clock clock;
  private final UnauthorizedLimiter challenges = new UnauthorizedLimiter(20);
  private final Map<InetSocketAddress, Allocation> allocations = new ConcurrentHashMap<>();
  private final Map<Long, Reservation> reservations = new ConcurrentHashMap<>();
  private final AtomicInteger nextSelector = new AtomicInteger();
  private final SecureRandom random = new SecureRandom();
  private final AtomicLong indicationCounter = new AtomicLong();
  private final byte[] software;

  public final LongAdder relayedPackets = new LongAdder();
  public final LongAdder relayedBytes = new LongAdder();
  public final LongAdder authFailures = new LongAdder();

  /** Sockets sharing the UDP port, one reader thread each. */
  private final List<DatagramChannel> udp = new ArrayList<>();
  private ServerSocketChannel tcp;
  /** Relay sockets are spread over these, one thread each; an allocation stays with one. */
  private final List<RelaySelector> relaySelectors = new ArrayList<>();
  private ScheduledExecutorService sweeper;
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  private record Reservation(DatagramChannel channel, long expiresAt) {
  }

  private record RelaySelector(Selector selector, ConcurrentLinkedQueue<Allocation> toRegister) {
  }

  /** @param admission revocations and the per-peer / per-identity quotas, checked at Allocate and on every sweep */
  TurnServer(TurnSettings settings, LongTermAuth auth, PeerPolicy policy, Admission admission, Clock clock) {
    this.settings = settings;
    this.auth = auth;
    this.policy = policy;
    this.admission = admission;
    this.clock = clock;
    this.software = settings.software().getBytes(StandardCharsets.UTF_8);
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  private void bindListeners(int threads) throws IOException {
    int port = settings.port();
    for (int i = 0; i < threads; i++) {
      DatagramChannel socket = DatagramChannel.open();
      udp.add(socket);
      if (threads > 1) {
        // the kernel hashes each client's address to one of the sockets, so a client always meets the same reader
        socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      // bursts arrive while a packet thread is descheduled: room in the kernel buffer instead of drops
      socket.setOption(StandardSocketOptions.SO_RCVBUF, LISTENER_BUFFER);
      socket.setOption(StandardSocketOptions.SO_SNDBUF, LISTENER_BUFFER);
      socket.bind(new InetSocketAddress(settings.listenIp(), port));
      port = ((InetSocketAddress) socket.getLocalAddress()).getPort();
    }
    tcp = ServerSocketChannel.open();
    tcp.bind(new InetSocketAddress(settings.listenIp(), port));
  }

  private void closeListeners() throws IOException {
    for (DatagramChannel socket : udp) {
      socket.close();
    }
    udp.clear();
    if (tcp != null) {
      tcp.close();
      tcp = null;
    }
  }

  public void start() throws IOException {
    running = true;
    int threads = Math.max(1, settings.threads());
    // with port 0 the UDP port is the kernel's pick, and the same number may be taken for TCP: pick again
    for (int attempt = 1; ; attempt++) {
      try {
        bindListeners(threads);
        break;
      } catch (java.net.BindException taken) {
        closeListeners();
        if (settings.port() != 0 || attempt == 20) {
          throw taken;
        }
      }
    }
    for (int i = 0; i < threads; i++) {
      RelaySelector relays = new RelaySelector(Selector.open(), new ConcurrentLinkedQueue<>());
      relaySelectors.add(relays);
      DatagramChannel socket = udp.get(i);
      thread("turn-udp-" + i, () -> readUdp(socket));
      thread("turn-relay-" + i, () -> readRelays(relays));
    }
    thread("turn-tcp-accept", this::acceptTcp);
    sweeper = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "turn-sweeper"));
    sweeper.scheduleAtFixedRate(this::sweep, 1, 1, TimeUnit.SECONDS);
  }

  public int port() throws IOException {
    return ((InetSocketAddress) udp.get(0).getLocalAddress()).getPort();
  }

  @Override
  public void close() {
    running = false;
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    udp.forEach(TurnServer::quietly);
    quietly(tcp);
    allocations.values().forEach(this::release);
    reservations.values().forEach(r -> quietly(r.channel()));
    for (RelaySelector relays : relaySelectors) {
      try {
        relays.selector().close();
      } catch (IOException ignored) {
        // closing
      }
    }
    threads.forEach(Thread::interrupt);
  }

  private void thread(String name, Runnable body) {
    Thread thread = daemon(body, name);
    threads.add(thread);
    thread.start();
  }

  private static Thread daemon(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  // ---- client side ------------------------------------------------------------------------------

  private void readUdp(DatagramChannel udp) {
    ByteBuffer in = ByteBuffer.allocateDirect(MAX_PACKET);
    while (running) {
      try {
        in.clear();
        InetSocketAddress from = (InetSocketAddress) udp.receive(in);
        if (from == null) {
          continue;
        }
        Allocation allocation = allocations.get(from);
        ClientLink link = allocation != null ? allocation.link : new ClientLink.Udp(udp, from);
        onClientPacket(in, 0, in.position(), link);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "UDP packet dropped", e);
      }
    }
  }

  private void acceptTcp() {
    while (running) {
      try {
        SocketChannel socket = tcp.accept();
        socket.socket().setTcpNoDelay(true);
        ClientLink.Tcp link = new ClientLink.Tcp(socket, (InetSocketAddress) socket.getRemoteAddress());
        thread("turn-tcp-" + link.remote().getPort(), () -> readTcp(socket, link));
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        LOG.log(Level.FINE, "TCP accept failed", e);
      }
    }
  }

  /** STUN over TCP is self-delimiting; ChannelData is padded to 4 bytes on stream transports. */
  private void readTcp(SocketChannel socket, ClientLink.Tcp link) {
    ByteBuffer in = ByteBuffer.allocateDirect(MAX_PACKET + 4);
    try {
      while (running) {
        in.clear().limit(4);
        if (!readFully(socket, in)) {
          break;
        }
        int first = in.get(0) & 0xff;
        int length;
        if (StunWire.isChannelData(first)) {
          length = 4 + (((in.getShort(2) & 0xffff) + 3) & ~3);
        } else if ((first & 0xC0) == 0) {
          length = StunWire.HEADER + (in.getShort(2) & 0xffff);
        } else {
          break;
        }
        in.limit(length);
        if (!readFully(socket, in)) {
          break;
        }
        onClientPacket(in, 0, length, link);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "TCP client " + link.remote() + " dropped", e);
    } finally {
      Allocation allocation = allocations.remove(link.remote());
      if (allocation != null) {
        release(allocation);
      }
      link.close();
    }
  }

  private static boolean readFully(SocketChannel socket, ByteBuffer in) throws IOException {
    while (in.hasRemaining()) {
      if (socket.read(in) < 0) {
        return false;
      }
    }
    return true;
  }

  void onClientPacket(ByteBuffer in, int off, int len, ClientLink link) {
    if (len < 4) {
      return;
    }
    int first = in.get(off) & 0xff;
    if (StunWire.isChannelData(first)) {
      relayChannelData(in, off, len, link);
    } else if (StunWire.isStun(in, off, len)) {
      int type = in.getShort(off) & 0xffff;
      if (type == StunWire.SEND_INDICATION) {
        relaySendIndication(in, off, len, link);
      } else if ((type & 0x0110) == 0) {
        byte[] raw = new byte[StunWire.HEADER + (in.getShort(off + 2) & 0xffff)];
        in.get(off, raw);
        handleRequest(raw, link);
      }
    }
  }

  private void relayChannelData(ByteBuffer in, int off, int len, ClientLink link) {
    Allocation allocation = allocations.get(link.remote());
    int length = in.getShort(off + 2) & 0xffff;
    if (allocation == null || 4 + length > len) {
      return;
    }
    Allocation.Channel channel = allocation.channelsByNumber.get(in.getShort(off) & 0xffff);
    if (channel == null || channel.expiresAt < clock.millis()) {
      return;
    }
    sendToPeer(allocation, in, off + 4, length, channel.peer);
  }

  private final ThreadLocal<StunWire.SendIndication> sendIndications = ThreadLocal.withInitial(StunWire.SendIndication::new);

  private void relaySendIndication(ByteBuffer in, int off, int len, ClientLink link) {
    Allocation allocation = allocations.get(link.remote());
    StunWire.SendIndication send = sendIndications.get();
    if (allocation == null || !send.parse(in, off, len)) {
      return;
    }
    InetSocketAddress peer = allocation.lastIndicationPeer;
    if (peer == null || peer.getPort() != send.peerPort || !sameAddress(peer.getAddress(), send)) {
      try {
        byte[] ip = java.util.Arrays.copyOf(send.peerIp, send.peerIpLength);
        peer = new InetSocketAddress(PeerPolicy.canonical(InetAddress.getByAddress(ip)), send.peerPort);
      } catch (IOException e) {
        return;
      }
      allocation.lastIndicationPeer = peer;
    }
    if (allocation.permitted(peer.getAddress(), clock.millis())) {
      sendToPeer(allocation, in, send.dataOffset, send.dataLength, peer);
    }
  }

  private static boolean sameAddress(InetAddress address, StunWire.SendIndication send) {
    byte[] known = address.getAddress();
    if (known.length != send.peerIpLength) {
      return false;
    }
    for (int i = 0; i < known.length; i++) {
      if (known[i] != send.peerIp[i]) {
        return false;
      }
    }
    return true;
  }

  private void sendToPeer(Allocation allocation, ByteBuffer in, int offset, int length, InetSocketAddress peer) {
    if (!allocation.spend(length, System.nanoTime())) {
      return;
    }
    int limit = in.limit();
    int position = in.position();
    try {
      in.limit(offset + length).position(offset);
      allocation.relay.send(in, peer);
      count(length);
    } catch (IOException e) {
      LOG.log(Level.FINE, "relay to " + peer + " failed", e);
    } finally {
      in.limit(limit).position(position);
    }
  }

  private void count(int length) {
    relayedPackets.increment();
    relayedBytes.add(length);
  }

  // ---- peer side --------------------------------------------------------------------------------

  private void readRelays(RelaySelector relays) {
    Selector relaySelector = relays.selector();
    ByteBuffer out = ByteBuffer.allocateDirect(PEER_PREFIX + MAX_PACKET + 4);
    while (running) {
      try {
        Allocation pending;
        while ((pending = relays.toRegister().poll()) != null) {
          pending.relay.register(relaySelector, SelectionKey.OP_READ, pending);
        }
        relaySelector.select(1000);
        for (SelectionKey key : relaySelector.selectedKeys()) {
          Allocation allocation = (Allocation) key.attachment();
          if (key.isValid() && key.isReadable()) {
            drainRelay(allocation, out);
          }
        }
        relaySelector.selectedKeys().clear();
      } catch (ClosedChannelException | java.nio.channels.ClosedSelectorException e) {
        if (!running) {
          return;
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "relay read failed", e);
      }
    }
  }

  private void drainRelay(Allocation allocation, ByteBuffer out) throws IOException {
    for (int i = 0; i < 64; i++) {
      out.clear().position(PEER_PREFIX);
      SocketAddress from = allocation.relay.receive(out);
      if (from == null) {
        return;
      }
      InetSocketAddress peer = (InetSocketAddress) from;
      int length = out.position() - PEER_PREFIX;
      long now = clock.millis();
      if (!allocation.permitted(peer.getAddress(), now) || !allocation.spend(length, System.nanoTime())) {
        continue;
      }
      Allocation.Channel channel = allocation.channelsByPeer.get(peer);
      int start;
      int end = PEER_PREFIX + length;
      if (channel != null && channel.expiresAt > now) {
        start = PEER_PREFIX - 4;
        out.putShort(start, (short) channel.number);
        out.putShort(start + 2, (short) length);
        if (allocation.link.stream()) {
          int padding = (4 - (length & 3)) & 3;
          for (int p = 0; p < padding; p++) {
            out.put(end + p, (byte) 0);
          }
          end += padding;
        }
      } else {
        byte[] ip = peer.getAddress().getAddress();
        start = StunWire.writeDataIndication(out, PEER_PREFIX, length, ip, peer.getPort(),
            indicationCounter.incrementAndGet());
        end += (4 - (length & 3)) & 3;
      }
      out.limit(end).position(start);
      allocation.link.send(out);
      count(length);
    }
  }

  // ---- control plane ----------------------------------------------------------------------------

  private void handleRequest(byte[] raw, ClientLink link) {
    // ice4j expects other lengths for EVEN-PORT (RFC 8656: 1 byte) and REQUESTED-ADDRESS-FAMILY
    // (RFC 8656: 4 bytes) than the RFC and coturn's client use: read them here, decode the rest with ice4j
    int fingerprintAt = StunWire.find(raw, StunWire.ATTR_FINGERPRINT);
    if (fingerprintAt >= 0 && !StunWire.verifyFingerprint(raw, fingerprintAt)) {
      return; // corrupted in transit or not meant for us: RFC 8489 says discard
    }
    byte[] decodable = fingerprintAt < 0 ? raw : StunWire.without(raw, fingerprintAt);
    int evenPortAt = StunWire.find(decodable, StunWire.ATTR_EVEN_PORT);
    Boolean evenPortReserve = evenPortAt < 0 ? null : (decodable[evenPortAt + 4] & 0x80) != 0;
    if (evenPortAt >= 0) {
      decodable = StunWire.without(decodable, evenPortAt);
    }
    int familyAt = StunWire.find(decodable, StunWire.ATTR_REQUESTED_ADDRESS_FAMILY);
    int family = familyAt < 0 ? 0 : decodable[familyAt + 4];
    if (familyAt >= 0) {
      decodable = StunWire.without(decodable, familyAt);
    }
    Message request;
    try {
      request = Message.decode(decodable, 0, decodable.length);
    } catch (StunException | RuntimeException e) {
      LOG.log(Level.FINE, "undecodable request from " + link.remote(), e);
      reply(link, StunWire.sign(StunWire.badRequest(raw), null));
      return;
    }
    char type = request.getMessageType();
    int method = type & 0x3EEF;
    InetSocketAddress client = link.remote();
    if (type == Message.BINDING_REQUEST) {
      Response response = response(request, true);
      response.putAttribute(AttributeFactory.createXorMappedAddressAttribute(transport(client, link),
          request.getTransactionID()));
      reply(link, response, null);
      return;
    }
    if (method != Message.TURN_METHOD_ALLOCATE && method != Message.TURN_METHOD_REFRESH
        && method != Message.TURN_METHOD_CREATEPERMISSION && method != Message.TURN_METHOD_CHANNELBIND) {
      reply(link, error(request, 400), null);
      return;
    }
    long now = clock.instant().getEpochSecond();
    Allocation existing = allocations.get(client);
    String username = text(request, Attribute.USERNAME);
    byte[] sessionKey = method != Message.TURN_METHOD_ALLOCATE && existing != null
        && existing.username.equals(username) ? existing.key : null;
    LongTermAuth.Result result = auth.check(raw, username, text(request, Attribute.REALM),
        text(request, Attribute.NONCE), client, now, sessionKey);
    switch (result.outcome()) {
      case BAD_REQUEST -> {
        reply(link, error(request, 400), null);
        return;
      }
      case CHALLENGE, STALE_NONCE -> {
        if (result.outcome() == LongTermAuth.Outcome.CHALLENGE
            && request.containsAttribute(Attribute.MESSAGE_INTEGRITY)) {
          authFailures.increment();
        }
        if (challenges.allow(client.getAddress(), now)) {
          reply(link, challenge(request, result.outcome() == LongTermAuth.Outcome.STALE_NONCE ? 438 : 401, client), null);
        }
        return;
      }
      default -> {
      }
    }
    if (method == Message.TURN_METHOD_ALLOCATE) {
      allocate(request, link, result, existing, evenPortReserve, family);
      return;
    }
    if (existing == null) {
      reply(link, error(request, 437), result.key());
      return;
    }
    if (!existing.username.equals(result.username())) {
      reply(link, error(request, 441), result.key());
      return;
    }
    if (method == Message.TURN_METHOD_REFRESH) {
      refresh(request, link, existing);
    } else if (method == Message.TURN_METHOD_CREATEPERMISSION) {
      createPermission(request, link, existing);
    } else {
      channelBind(request, link, existing);
    }
  }

  /** A 401 or 438 with a fresh nonce: the client may retry, with other credentials in the case of 401. */
  private Response challenge(Message request, int code, InetSocketAddress client) {
    Response challenge = error(request, code);
    challenge.putAttribute(AttributeFactory.createRealmAttribute(auth.realm().getBytes(StandardCharsets.UTF_8)));
    challenge.putAttribute(AttributeFactory.createNonceAttribute(
        auth.nonceFor(client, clock.instant().getEpochSecond()).getBytes(StandardCharsets.US_ASCII)));
    return challenge;
  }

  /** @param evenPort null without EVEN-PORT, else its R flag (reserve the next port too) */
  private void allocate(Message request, ClientLink link, LongTermAuth.Result auth, Allocation existing,
                        Boolean evenPort, int family) {
    if (existing != null) {
      boolean retransmit = java.util.Arrays.equals(existing.allocateTransaction, request.getTransactionID());
      reply(link, retransmit ? allocated(request, existing) : error(request, 437), auth.key());
      return;
    }
    RequestedTransportAttribute transport = (RequestedTransportAttribute) request.getAttribute(Attribute.REQUESTED_TRANSPORT);
    if (transport == null) {
      reply(link, error(request, 400), auth.key());
      return;
    }
    if (transport.getRequestedTransport() != RequestedTransportAttribute.UDP) {
      reply(link, error(request, 442), auth.key());
      return;
    }
    InetAddress relayIp = settings.relayIp();
    if (family == 2) {
      relayIp = settings.relayIpv6();
    } else if (family != 0 && family != 1) {
      reply(link, error(request, 440), auth.key());
      return;
    }
    if (relayIp == null) {
      reply(link, error(request, 440), auth.key());
      return;
    }
    ReservationTokenAttribute token = (ReservationTokenAttribute) request.getAttribute(Attribute.RESERVATION_TOKEN);
    if (token != null && evenPort != null) {
      reply(link, error(request, 400), auth.key());
      return;
    }
    // a revoked credential is refused like a wrong one, so a client gives up on it instead of retrying
    if (admission.refuses(auth.username())) {
      reply(link, challenge(request, 401, link.remote()), null);
      return;
    }
    if (!admission.acquire(auth.username())) {
      reply(link, error(request, 486), auth.key());
      return;
    }
    boolean placed = false;
    try {
      placed = place(request, link, auth, relayIp, token, evenPort);
    } finally {
      if (!placed) {
        admission.release(auth.username());
      }
    }
  }

  /** Binds the relay port and stores the allocation; false (after replying) when the relay has no room. */
  private boolean place(Message request, ClientLink link, LongTermAuth.Result auth, InetAddress relayIp,
                        ReservationTokenAttribute token, Boolean evenPort) {
    if (allocations.size() >= settings.totalQuota()) {
      reply(link, error(request, 508), auth.key());
      return false;
    }
    DatagramChannel relay;
    byte[] reservationToken = null;
    try {
      if (token != null) {
        Reservation reserved = reservations.remove(tokenKey(token.getReservationToken()));
        if (reserved == null) {
          reply(link, error(request, 508), auth.key());
          return false;
        }
        relay = reserved.channel();
      } else if (evenPort != null) {
        DatagramChannel[] pair = bindEvenPort(relayIp, evenPort);
        relay = pair[0];
        if (pair[1] != null) {
          reservationToken = new byte[8];
          random.nextBytes(reservationToken);
          reservations.put(tokenKey(reservationToken), new Reservation(pair[1], clock.millis() + RESERVATION_MILLIS));
        }
      } else {
        relay = bindPort(relayIp, false);
      }
    } catch (IOException e) {
      reply(link, error(request, 508), auth.key());
      return false;
    }
    int local = ((InetSocketAddress) localAddress(relay)).getPort();
    InetAddress advertisedIp = relayIp instanceof Inet4Address && settings.externalIp() != null
        ? settings.externalIp() : relayIp;
    Allocation allocation = new Allocation(link, auth.username(), auth.key(), relay,
        new InetSocketAddress(advertisedIp, local), request.getTransactionID(),
        clock.millis() + lifetimeMillis(request), settings.bandwidthBytesPerSecond());
    allocations.put(link.remote(), allocation);
    RelaySelector relays = relaySelectors.get(Math.floorMod(nextSelector.getAndIncrement(), relaySelectors.size()));
    relays.toRegister().add(allocation);
    relays.selector().wakeup();
    Response response = allocated(request, allocation);
    if (reservationToken != null) {
      response.putAttribute(AttributeFactory.createReservationTokenAttribute(reservationToken));
    }
    reply(link, response, auth.key());
    return true;
  }

  private Response allocated(Message request, Allocation allocation) {
    Response response = response(request, true);
    response.putAttribute(AttributeFactory.createXorRelayedAddressAttribute(
        new TransportAddress(allocation.advertised, Transport.UDP), request.getTransactionID()));
    response.putAttribute(AttributeFactory.createLifetimeAttribute(
        (int) Math.max(0, (allocation.expiresAt - clock.millis()) / 1000)));
    response.putAttribute(AttributeFactory.createXorMappedAddressAttribute(
        transport(allocation.link.remote(), allocation.link), request.getTransactionID()));
    return response;
  }

  private long lifetimeMillis(Message request) {
    LifetimeAttribute lifetime = (LifetimeAttribute) request.getAttribute(Attribute.LIFETIME);
    long seconds = lifetime == null ? settings.defaultLifetimeSeconds()
        : Math.min(Math.max(lifetime.getLifetime() & 0xffffffffL, settings.defaultLifetimeSeconds()),
        settings.maxLifetimeSeconds());
    return seconds * 1000;
  }

  private void refresh(Message request, ClientLink link, Allocation allocation) {
    LifetimeAttribute lifetime = (LifetimeAttribute) request.getAttribute(Attribute.LIFETIME);
    Response response = response(request, true);
    if (lifetime != null && lifetime.getLifetime() == 0) {
      if (allocations.remove(link.remote(), allocation)) {
        release(allocation);
      }
      response.putAttribute(AttributeFactory.createLifetimeAttribute(0));
    } else {
      long millis = lifetimeMillis(request);
      allocation.expiresAt = clock.millis() + millis;
      response.putAttribute(AttributeFactory.createLifetimeAttribute((int) (millis / 1000)));
    }
    reply(link, response, allocation.key);
  }

  private void createPermission(Message request, ClientLink link, Allocation allocation) {
    List<InetAddress> peers = new ArrayList<>();
    for (Attribute attribute : request.getAttributes()) {
      if (attribute instanceof XorPeerAddressAttribute peer) {
        InetSocketAddress address = peer(peer, request);
        int refusal = refusal(address, allocation);
        if (refusal != 0) {
          reply(link, error(request, refusal), allocation.key);
          return;
        }
        peers.add(address.getAddress());
      }
    }
    if (peers.isEmpty()) {
      reply(link, error(request, 400), allocation.key);
      return;
    }
    long newOnes = peers.stream().distinct().filter(p -> !allocation.permissions.containsKey(p)).count();
    if (allocation.permissions.size() + newOnes > settings.maxPermissions()) {
      reply(link, error(request, 508), allocation.key);
      return;
    }
    long until = clock.millis() + PERMISSION_MILLIS;
    peers.forEach(p -> allocation.permissions.put(p, until));
    reply(link, response(request, true), allocation.key);
  }

  private void channelBind(Message request, ClientLink link, Allocation allocation) {
    ChannelNumberAttribute number = (ChannelNumberAttribute) request.getAttribute(Attribute.CHANNEL_NUMBER);
    XorPeerAddressAttribute peerAttribute = (XorPeerAddressAttribute) request.getAttribute(Attribute.XOR_PEER_ADDRESS);
    // RFC 8656 narrowed channels to 0x4000-0x4FFF; RFC 5766 allows 0x4000-0x7FFF, and coturn's own client tools
    // draw from all of it (0x7FFF included; coturn accepts it)
    if (number == null || peerAttribute == null || number.getChannelNumber() < 0x4000 || number.getChannelNumber() > 0x7FFF) {
      reply(link, error(request, 400), allocation.key);
      return;
    }
    InetSocketAddress peer = peer(peerAttribute, request);
    int refusal = refusal(peer, allocation);
    if (refusal != 0) {
      reply(link, error(request, refusal), allocation.key);
      return;
    }
    int channelNumber = number.getChannelNumber();
    Allocation.Channel byNumber = allocation.channelsByNumber.get(channelNumber);
    Allocation.Channel byPeer = allocation.channelsByPeer.get(peer);
    if ((byNumber != null && !byNumber.peer.equals(peer)) || (byPeer != null && byPeer.number != channelNumber)) {
      reply(link, error(request, 400), allocation.key);
      return;
    }
    long now = clock.millis();
    if (byNumber == null) {
      if (allocation.channelsByNumber.size() >= settings.maxChannels()) {
        reply(link, error(request, 508), allocation.key);
        return;
      }
      Allocation.Channel channel = new Allocation.Channel(channelNumber, peer, now + CHANNEL_MILLIS);
      allocation.channelsByNumber.put(channelNumber, channel);
      allocation.channelsByPeer.put(peer, channel);
    } else {
      byNumber.expiresAt = now + CHANNEL_MILLIS;
    }
    allocation.permissions.put(peer.getAddress(), now + PERMISSION_MILLIS);
    reply(link, response(request, true), allocation.key);
  }

  /** 0 when the peer may be used, else the error code: 443 for a family mismatch, 403 when refused. */
  private int refusal(InetSocketAddress peer, Allocation allocation) {
    if (peer == null) {
      return 400;
    }
    boolean relayIsV4 = allocation.advertised.getAddress() instanceof Inet4Address;
    if (relayIsV4 != (peer.getAddress() instanceof Inet4Address)) {
      return 443;
    }
    return policy.permits(peer.getAddress()) ? 0 : 403;
  }

  private static InetSocketAddress peer(XorPeerAddressAttribute attribute, Message request) {
    TransportAddress address = attribute.getAddress(request.getTransactionID());
    return address == null ? null
        : new InetSocketAddress(PeerPolicy.canonical(address.getAddress()), address.getPort());
  }

  // ---- relay ports ------------------------------------------------------------------------------

  private DatagramChannel bindPort(InetAddress ip, boolean even) throws IOException {
    int span = settings.maxPort() - settings.minPort() + 1;
    int start = random.nextInt(span);
    for (int i = 0; i < span; i++) {
      int port = settings.minPort() + (start + i) % span;
      if (even && (port & 1) == 1) {
        continue;
      }
      DatagramChannel channel = DatagramChannel.open(ip instanceof Inet6Address
          ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
      try {
        channel.bind(new InetSocketAddress(ip, port));
        channel.configureBlocking(false);
        channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, RELAY_BUFFER);
        return channel;
      } catch (IOException taken) {
        channel.close();
      }
    }
    throw new IOException("no relay port free in " + settings.minPort() + "-" + settings.maxPort());
  }

  /** An even port, and when asked the next one too, kept for a later Allocate with the token. */
  private DatagramChannel[] bindEvenPort(InetAddress ip, boolean reserveNext) throws IOException {
    for (int attempt = 0; attempt < 64; attempt++) {
      DatagramChannel even = bindPort(ip, true);
      if (!reserveNext) {
        return new DatagramChannel[] {even, null};
      }
      int port = ((InetSocketAddress) even.getLocalAddress()).getPort();
      DatagramChannel next = DatagramChannel.open(ip instanceof Inet6Address
          ? java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
      try {
        next.bind(new InetSocketAddress(ip, port + 1));
        next.configureBlocking(false);
        return new DatagramChannel[] {even, next};
      } catch (IOException taken) {
        next.close();
        even.close();
      }
    }
    throw new IOException("no even port pair free");
  }

  private static long tokenKey(byte[] token) {
    return ByteBuffer.wrap(token).getLong();
  }

  // ---- lifetimes --------------------------------------------------------------------------------

  private void sweep() {
    try {
      long now = clock.millis();
      allocations.entrySet().removeIf(entry -> {
        Allocation allocation = entry.getValue();
        // a revoked allocation ends like an expired one, here rather than on a packet thread
        if (allocation.expiresAt <= now || admission.tearsDown(allocation.username)) {
          release(allocation);
          return true;
        }
        allocation.permissions.values().removeIf(until -> until <= now);
        allocation.channelsByNumber.values().removeIf(channel -> {
          if (channel.expiresAt <= now) {
            allocation.channelsByPeer.remove(channel.peer, channel);
            return true;
          }
          return false;
        });
        return false;
      });
      admission.purgeRevocations();
      reservations.values().removeIf(r -> {
        if (r.expiresAt() <= now) {
          quietly(r.channel());
          return true;
        }
        return false;
      });
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "TURN sweep failed", e);
    }
  }

  private void release(Allocation allocation) {
    if (allocation.markReleased()) {
      quietly(allocation.relay);
      admission.release(allocation.username);
    }
  }

  /** A TCP or TLS client's connection ended: the allocation it made goes with it (RFC 8656 §2.1). */
  void streamClosed(ClientLink link) {
    Allocation allocation = allocations.get(link.remote());
    if (allocation != null && allocation.link == link && allocations.remove(link.remote(), allocation)) {
      release(allocation);
    }
  }

  /** Whether this stream client holds an allocation (authenticated at least once). */
  boolean hasAllocation(ClientLink link) {
    Allocation allocation = allocations.get(link.remote());
    return allocation != null && allocation.link == link;
  }

  public int allocationCount() {
    return allocations.size();
  }

  public int permissionCount() {
    return allocations.values().stream().mapToInt(a -> a.permissions.size()).sum();
  }

  public int channelCount() {
    return allocations.values().stream().mapToInt(a -> a.channelsByNumber.size()).sum();
  }

  // ---- encoding ---------------------------------------------------------------------------------

  private Response response(Message request, boolean success) {
    // ice4j's Response constructor is package-private: start from an empty factory-made response
    Response response = MessageFactory.createChannelBindResponse();
    int method = request.getMessageType() & 0x3EEF;
    response.setMessageType((char) (method | (success ? 0x0100 : 0x0110)));
    try {
      response.setTransactionID(request.getTransactionID());
    } catch (StunException e) {
      throw new IllegalStateException(e);
    }
    response.putAttribute(AttributeFactory.createSoftwareAttribute(software));
    return response;
  }

  private Response error(Message request, int code) {
    Response response = response(request, false);
    response.putAttribute(AttributeFactory.createErrorCodeAttribute((char) code, REASONS.getOrDefault(code, "")));
    return response;
  }

  private void reply(ClientLink link, Response response, byte[] key) {
    reply(link, StunWire.sign(response.encode(null), key));
  }

  private static void reply(ClientLink link, byte[] bytes) {
    link.send(ByteBuffer.wrap(bytes));
  }

  private static TransportAddress transport(InetSocketAddress address, ClientLink link) {
    return new TransportAddress(address, link.stream() ? Transport.TCP : Transport.UDP);
  }

  private static String text(Message message, char type) {
    Attribute attribute = message.getAttribute(type);
    byte[] bytes = attribute instanceof UsernameAttribute u ? u.getUsername()
        : attribute instanceof RealmAttribute r ? r.getRealm()
        : attribute instanceof NonceAttribute n ? n.getNonce() : null;
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private static SocketAddress localAddress(DatagramChannel channel) {
    try {
      return channel.getLocalAddress();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void quietly(java.nio.channels.Channel channel) {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}

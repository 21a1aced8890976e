package dev.switchboard.turn;

import dev.switchboard.turn.allocation.Allocation;
import dev.switchboard.turn.allocation.AllocationManager;
import dev.switchboard.turn.allocation.ClientLink;
import dev.switchboard.turn.allocation.RelayPorts;
import dev.switchboard.turn.listen.TcpListener;
import dev.switchboard.turn.listen.UdpListener;

import org.ice4j.StunException;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;

import java.io.IOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A TURN server (RFC 8656) for UDP relays, reached over UDP and TCP: it wires the parts together and runs them.
 * <ul>
 *   <li>listeners ({@link UdpListener}: one reader thread per socket on the shared port; {@link TcpListener}:
 *   a few selector loops for every TCP connection);</li>
 *   <li>request handling ({@link RequestHandler}: decoding, Binding, authentication; {@link AllocationRequests}:
 *   Allocate, Refresh, CreatePermission, ChannelBind; {@link Replies}: small, rate-limited answers);</li>
 *   <li>the {@link AllocationManager}, keyed by 5-tuple, with quotas, reservations and expiry, and its
 *   {@link RelayPorts};</li>
 *   <li>the data path ({@link DataPath}, and {@link RelayReaders} for the peer side).</li>
 * </ul>
 */
public final class TurnServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TurnServer.class.getName());

  private final TurnSettings settings;
  private final Admission admission;
  private final TcpListener.Limits tcpLimits;
  private final Clock clock;
  private final AllocationManager allocations;
  private final DataPath dataPath;
  private final RequestHandler requests;
  private final RelayReaders relayReaders;

  public final LongAdder relayedPackets;
  public final LongAdder relayedBytes;
  public final LongAdder authFailures;

  /** Sockets sharing the UDP port, one reader thread each. */
  private final List<UdpListener> udp = new ArrayList<>();
  private TcpListener tcp;
  private ScheduledExecutorService sweeper;

  /** @param admission revocations and the per-peer / per-identity quotas, checked at Allocate and on every sweep */
  TurnServer(TurnSettings settings, LongTermAuth auth, PeerPolicy policy, Admission admission, Clock clock) {
    this(settings, auth, policy, admission, clock, TcpListener.Limits.DEFAULT);
  }

  TurnServer(TurnSettings settings, LongTermAuth auth, PeerPolicy policy, Admission admission, Clock clock,
             TcpListener.Limits tcpLimits) {
    this.settings = settings;
    this.admission = admission;
    this.tcpLimits = tcpLimits;
    this.clock = clock;
    this.allocations = new AllocationManager(admission, settings.totalQuota(),
        new RelayPorts(settings.minPort(), settings.maxPort()), clock, settings.bandwidthBytesPerSecond(),
        this::startRelaying);
    this.dataPath = new DataPath(allocations, clock);
    this.relayReaders = new RelayReaders(dataPath);
    Replies replies = new Replies(settings.software(), clock);
    AllocationRequests allocationRequests = new AllocationRequests(settings, policy, allocations, replies, clock);
    this.requests = new RequestHandler(auth, allocations, allocationRequests, replies, clock, admission::refuses);
    dataPath.requests(requests);
    this.relayedPackets = dataPath.relayedPackets;
    this.relayedBytes = dataPath.relayedBytes;
    this.authFailures = requests.authFailures;
  }

  /** A new allocation's relay socket joins a peer-side reader (allocations exist only once started). */
  private void startRelaying(Allocation allocation) {
    relayReaders.add(allocation);
  }

  /** Seam for specs (the fuzz rig): where relayed payloads go. Set before {@link #start()}. */
  void peerSend(DataPath.PeerSend peerSend) {
    dataPath.peerSend(peerSend);
  }

  /** Seam for specs (the fuzz rig): one datagram or frame into the packet entry point, as a listener hands it. */
  void onClientPacket(ByteBuffer in, int off, int len, ClientLink link) {
    dataPath.onPacket(in, off, len, link);
  }

  /**
   * For stream listeners outside {@link TcpListener} (TURN over TLS on branch turn-tls): the client's connection
   * ended, and the allocation it made on it goes with it (RFC 8656 §2.1).
   */
  void streamClosed(ClientLink link) {
    Allocation allocation = allocations.get(link.fiveTuple());
    if (allocation != null && allocation.link == link) {
      allocations.end(allocation);
    }
  }

  /** Whether this stream client holds an allocation made on this very connection. */
  boolean hasAllocation(ClientLink link) {
    Allocation allocation = allocations.get(link.fiveTuple());
    return allocation != null && allocation.link == link;
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  public void start() throws IOException {
    warmUpCodec();
    int threads = Math.max(1, settings.threads());
    // with port 0 the UDP port is the kernel's pick, and the same number may be taken for TCP: pick again
    for (int attempt = 1; ; attempt++) {
      try {
        bindListeners(threads);
        break;
      } catch (BindException taken) {
        closeListeners();
        if (settings.port() != 0 || attempt == 20) {
          throw taken;
        }
      }
    }
    relayReaders.start(threads);
    for (int i = 0; i < udp.size(); i++) {
      UdpListener listener = udp.get(i);
      Thread thread = new Thread(() -> listener.run(dataPath), "turn-udp-" + i);
      thread.setDaemon(true);
      thread.start();
    }
    tcp.start(dataPath, threads);
    sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "turn-sweeper");
      thread.setDaemon(true);
      return thread;
    });
    sweeper.scheduleAtFixedRate(this::sweep, 1, 1, TimeUnit.SECONDS);
  }

  /** The first ice4j encode loads its Kotlin configuration (~0.5 s): pay it at start, not on a client's request. */
  private static void warmUpCodec() throws IOException {
    try {
      Message request = MessageFactory.createBindingRequest();
      request.setTransactionID(new byte[12]);
      byte[] encoded = request.encode(null);
      Message.decode(encoded, 0, encoded.length);
    } catch (StunException e) {
      throw new IOException("the STUN codec does not work", e);
    }
  }

  private void bindListeners(int threads) throws IOException {
    int port = settings.port();
    for (int i = 0; i < threads; i++) {
      UdpListener listener = UdpListener.bind(settings.listenIp(), port, threads > 1);
      udp.add(listener);
      port = listener.local().getPort();
    }
    tcp = TcpListener.bind(settings.listenIp(), port, tcpLimits, clock);
  }

  private void closeListeners() {
    udp.forEach(UdpListener::close);
    udp.clear();
    if (tcp != null) {
      tcp.close();
      tcp = null;
    }
  }

  public int port() {
    return udp.get(0).local().getPort();
  }

  @Override
  public void close() {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    closeListeners();
    relayReaders.close();
    allocations.closeAll();
  }

  /** Every second on the sweeper; package-private so that specs can sweep at a moment of their choosing. */
  void sweep() {
    try {
      // a revoked allocation ends like an expired one, here rather than on a packet thread
      allocations.sweep(admission::tearsDown);
      admission.purgeRevocations();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "TURN sweep failed", e);
    }
  }

  // ---- gauges -----------------------------------------------------------------------------------

  public int allocationCount() {
    return allocations.allocationCount();
  }

  public int permissionCount() {
    return allocations.allocations().stream().mapToInt(Allocation::permissionCount).sum();
  }

  public int channelCount() {
    return allocations.allocations().stream().mapToInt(Allocation::channelCount).sum();
  }

  /** EVEN-PORT reservations held. */
  int reservationCount() {
    return allocations.reservationCount();
  }

  /** Relay ports handed out, to allocations and reservations: one each (the fuzz rig checks nothing leaks). */
  int relayPortsInUse() {
    return allocations.portsInUse();
  }

  /** Every allocation held, for specs and the fuzz rig's invariants. */
  Collection<Allocation> allocations() {
    return allocations.allocations();
  }

  public int tcpConnectionCount() {
    return tcp == null ? 0 : tcp.connectionCount();
  }

  /** Packets to TCP clients dropped because the client read too slowly (its outbound queue was full). */
  public long tcpDroppedPackets() {
    return tcp == null ? 0 : tcp.dropped.sum();
  }

  /** TCP connections refused for a cap, or closed for not authenticating in time. */
  public long tcpRefusedConnections() {
    return tcp == null ? 0 : tcp.refused.sum() + tcp.timedOut.sum();
  }
}

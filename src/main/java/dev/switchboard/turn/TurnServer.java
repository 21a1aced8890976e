package dev.switchboard.turn;

import dev.switchboard.turn.allocation.Allocation;
import dev.switchboard.turn.allocation.AllocationManager;
import dev.switchboard.turn.allocation.ClientLink;
import dev.switchboard.turn.allocation.RelayPorts;
import dev.switchboard.turn.listen.StreamLimits;
import dev.switchboard.turn.listen.StreamListener;
import dev.switchboard.turn.listen.UdpEngine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;

import org.ice4j.StunException;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;

import java.io.IOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Collection;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A TURN server (RFC 8656) for UDP relays, reached over UDP and TCP (and TLS, through
 * {@link #streamListener}): it wires the parts together and runs them.
 * <ul>
 *   <li>listeners (a {@link UdpEngine}: epoll with batched system calls, or NIO, for the TURN port and the relay
 *   sockets; {@link StreamListener}: TCP connections on Vert.x event loops, one acceptor per packet thread);</li>
 *   <li>request handling ({@link RequestHandler}: decoding, Binding, authentication; {@link AllocationRequests}:
 *   Allocate, Refresh, CreatePermission, ChannelBind; {@link Replies}: small, rate-limited answers);</li>
 *   <li>the {@link AllocationManager}, keyed by 5-tuple, with quotas, reservations and expiry, and its
 *   {@link RelayPorts};</li>
 *   <li>the data path ({@link DataPath}).</li>
 * </ul>
 */
public final class TurnServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TurnServer.class.getName());

  private final TurnSettings settings;
  private final Admission admission;
  private final StreamLimits tcpLimits;
  private final Clock clock;
  /** The event loops of the stream listeners: the node's, or one of the server's own when built alone. */
  private Vertx vertx;
  private final boolean ownsVertx;
  private final AllocationManager allocations;
  private final DataPath dataPath;
  private final RequestHandler requests;
  private final UdpEngine udp;

  public final LongAdder relayedPackets;
  public final LongAdder relayedBytes;
  public final LongAdder authFailures;

  private StreamListener tcp;
  private int port;
  private ScheduledExecutorService sweeper;

  /**
   * A server on its own (specs): its stream listeners run on a Vert.x instance of its own, closed with it.
   * @param admission revocations and the per-peer / per-identity quotas, checked at Allocate and on every sweep
   */
  TurnServer(TurnSettings settings, LongTermAuth auth, PeerPolicy policy, Admission admission, Clock clock) {
    this(settings, auth, policy, admission, clock, StreamLimits.TCP_DEFAULT);
  }

  TurnServer(TurnSettings settings, LongTermAuth auth, PeerPolicy policy, Admission admission, Clock clock,
             StreamLimits tcpLimits) {
    this(null, settings, auth, policy, admission, clock, tcpLimits);
  }

  /** @param vertx whose event loops serve TCP (and TLS) clients; null: a Vert.x of the server's own */
  TurnServer(Vertx vertx, TurnSettings settings, LongTermAuth auth, PeerPolicy policy, Admission admission,
             Clock clock, StreamLimits tcpLimits) {
    this.vertx = vertx;
    this.ownsVertx = vertx == null;
    this.settings = settings;
    this.admission = admission;
    this.tcpLimits = tcpLimits;
    this.clock = clock;
    this.udp = UdpEngine.forName(settings.io(), settings.threads());
    this.allocations = new AllocationManager(admission, settings.totalQuota(),
        new RelayPorts(settings.minPort(), settings.maxPort(), udp.relayBinder(), new SecureRandom()), clock,
        settings.bandwidthBytesPerSecond(), udp::startRelaying);
    this.dataPath = new DataPath(allocations, policy, clock);
    Replies replies = new Replies(settings.software(), clock);
    AllocationRequests allocationRequests = new AllocationRequests(settings, policy, allocations, replies, clock);
    this.requests = new RequestHandler(auth, allocations, allocationRequests, replies, clock, admission::refuses);
    dataPath.requests(requests);
    this.relayedPackets = dataPath.relayedPackets;
    this.relayedBytes = dataPath.relayedBytes;
    this.authFailures = requests.authFailures;
  }

  /** Seam for specs (the fuzz rig): where relayed payloads go. Set before {@link #start()}. */
  void peerSend(DataPath.PeerSend peerSend) {
    dataPath.peerSend(peerSend);
  }

  /** Seam for specs (the fuzz rig): one datagram or frame into the packet entry point, as a listener hands it. */
  void onClientPacket(ByteBuffer in, int off, int len, ClientLink link) {
    dataPath.onPacket(in, off, len, link);
  }

  /** Seam for specs (the fuzz rig): a stream client's connection ended, as the stream listener reports it. */
  void onClientClosed(ClientLink link) {
    dataPath.onClosed(link);
  }

  /**
   * A stream listener (TURN over TLS, given a certificate) feeding this server's data path, on the server's event
   * loops and its clock. Call after {@link #start()}.
   */
  StreamListener streamListener(StreamLimits limits, KeyCertOptions tls) {
    return new StreamListener(vertx, limits, clock, dataPath, tls);
  }

  /** The TCP listener, for its meters. */
  StreamListener tcpListener() {
    return tcp;
  }

  /** How many acceptors a stream listener binds: one per packet thread. */
  int streamAcceptors() {
    return Math.max(1, settings.threads());
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  public void start() throws IOException {
    warmUpCodec();
    if (vertx == null) {
      vertx = Vertx.vertx();
    }
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
    udp.start(dataPath, dataPath);
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
    port = udp.bindListeners(settings.listenIp(), settings.port(), threads);
    tcp = new StreamListener(vertx, tcpLimits, clock, dataPath, null);
    awaitBound(tcp.listen(settings.listenIp().getHostAddress(), port, threads));
  }

  /**
   * Waits for a stream listener to be bound: the caller (a worker thread, or a spec's) can block on it because
   * the listener completes it from its own event loop.
   */
  private static void awaitBound(Future<Integer> listening) throws IOException {
    try {
      listening.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof BindException taken) {
        throw taken;
      }
      if (String.valueOf(cause.getMessage()).contains("Address already in use")) {
        throw new BindException(cause.getMessage()); // the native transports' own exception type
      }
      throw new IOException("TURN over TCP could not listen", cause);
    } catch (TimeoutException e) {
      throw new IOException("TURN over TCP did not start listening", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while TURN over TCP started listening", e);
    }
  }

  private void closeListeners() {
    udp.close();
    if (tcp != null) {
      tcp.close();
      tcp = null;
    }
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
    allocations.closeAll();
    closeListeners();
    if (ownsVertx && vertx != null) {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        LOG.log(Level.FINE, "the relay's own Vert.x did not close in time", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
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

  /** Which UDP engine runs: epoll or nio. */
  public String udpEngine() {
    return udp.name();
  }

  /** Datagrams dropped because a socket's send queue was full (epoll engine). */
  public long udpDroppedPackets() {
    return udp.droppedPackets();
  }

  public int tcpConnectionCount() {
    return tcp == null ? 0 : tcp.connectionCount();
  }

  /** Packets to TCP clients dropped because the client read too slowly (its outbound queue was full). */
  public long tcpDroppedPackets() {
    return tcp == null ? 0 : tcp.droppedPackets.sum();
  }
}

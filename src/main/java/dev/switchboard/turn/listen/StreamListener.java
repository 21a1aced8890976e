package dev.switchboard.turn.listen;

import dev.switchboard.turn.allocation.FiveTuple;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * TURN over TCP, or over TLS when given a certificate, on Vert.x event loops: no thread per connection. One
 * acceptor per event loop shares the port (Vert.x hands each new connection to the next one), so connections
 * spread over as many loops as the relay has packet threads. A connection costs its socket, what it has queued
 * to send (bounded, see {@link StreamLink}) and at most one message cut off between two reads. Connections are
 * capped in total and per source address, and one that has not authenticated a request within
 * {@link StreamLimits#authTimeout()} is closed, so idle or half-open sockets cannot pile up.
 */
public final class StreamListener {
  private static final Logger LOG = Logger.getLogger(StreamListener.class.getName());
  /** One per listener on a random port, so that listeners never share each other's. */
  private static final AtomicInteger RANDOM_PORT_KEYS = new AtomicInteger();

  /** Packets to clients dropped because their send queue was full (slow readers). */
  public final LongAdder droppedPackets = new LongAdder();
  /** TURN stream bytes (inside TLS: its payload) read from clients, and written to them (answers, relayed media). */
  public final LongAdder receivedBytes = new LongAdder();
  public final LongAdder sentBytes = new LongAdder();
  /** Connections closed at once for the total or per-address cap. */
  public final LongAdder refusedConnections = new LongAdder();
  /** Connections closed for not authenticating in time. */
  public final LongAdder unauthenticatedClosed = new LongAdder();
  private final Vertx vertx;
  private final StreamLimits limits;
  private final Clock clock;
  private final PacketHandler handler;
  private final KeyCertOptions tls;
  private final ConnectionCaps caps;
  private final List<Acceptor> acceptors = new CopyOnWriteArrayList<>();

  /**
   * @param clock what the authentication deadline is read from (a fake one in specs)
   * @param tls   the certificate served, or null for plain TCP
   */
  public StreamListener(Vertx vertx, StreamLimits limits, Clock clock, PacketHandler handler, KeyCertOptions tls) {
    this.vertx = vertx;
    this.limits = limits;
    this.clock = clock;
    this.handler = handler;
    this.tls = tls;
    this.caps = new ConnectionCaps(limits.maxConnections(), limits.maxConnectionsPerIp());
  }

  /**
   * Binds {@code acceptors} acceptors (at least one) to host:port; completes with the bound port. The future
   * belongs to no context, so a caller on a worker thread may block on it.
   */
  public Future<Integer> listen(String host, int port, int acceptors) {
    // Vert.x shares one server socket among servers on the same host:port; port 0 would give each its own
    // random port, but a negative one is a random port shared by every server given that same number
    int shared = port != 0 ? port : -RANDOM_PORT_KEYS.incrementAndGet();
    return bind(host, shared).compose(bound -> {
      List<Future<Integer>> more = new ArrayList<>();
      for (int i = 1; i < acceptors; i++) {
        more.add(bind(host, shared));
      }
      return Future.all(more).map(bound);
    });
  }

  private Future<Integer> bind(String host, int port) {
    NetServerOptions options = new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
        .setAcceptBacklog(1024)
        // a TLS handshake that never completes holds its socket no longer than an unauthenticated connection
        .setSslHandshakeTimeout(limits.authTimeout().toMillis()).setSslHandshakeTimeoutUnit(TimeUnit.MILLISECONDS);
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(tls);
    }
    Promise<Integer> bound = Promise.promise();
    Acceptor acceptor = new Acceptor(options, bound);
    acceptors.add(acceptor);
    vertx.deployVerticle(acceptor, new DeploymentOptions().setThreadingModel(ThreadingModel.EVENT_LOOP))
        .onFailure(bound::tryFail);
    return bound.future();
  }

  /** Serves a renewed certificate to new connections; open ones keep theirs. */
  public Future<Boolean> serve(KeyCertOptions renewed) {
    // the acceptors share one server socket, whose TLS settings any of them updates
    return acceptors.get(0).server.updateSSLOptions(new ServerSSLOptions().setKeyCertOptions(renewed), true);
  }

  /** Stops accepting and closes every connection. */
  public Future<Void> close() {
    List<Future<?>> closing = new ArrayList<>();
    for (Acceptor acceptor : acceptors) {
      if (acceptor.deploymentId != null) {
        // an acceptor bound from another's event loop is undeployed with it: a second undeploy fails, harmlessly
        closing.add(vertx.undeploy(acceptor.deploymentId).otherwiseEmpty());
      }
    }
    acceptors.clear();
    return Future.join(closing).mapEmpty();
  }

  public int connectionCount() {
    return caps.open();
  }

  private static InetSocketAddress inet(SocketAddress address) throws UnknownHostException {
    // an IP literal: no name lookup
    return new InetSocketAddress(InetAddress.getByName(address.hostAddress()), address.port());
  }

  /** One server instance on one event loop, and the connections it accepted (touched on that loop only). */
  private final class Acceptor extends VerticleBase {
    private final NetServerOptions options;
    private final Promise<Integer> bound;
    private final Set<StreamLink> links = new HashSet<>();
    private volatile NetServer server;
    private volatile String deploymentId;
    private long sweepTimer;

    Acceptor(NetServerOptions options, Promise<Integer> bound) {
      this.options = options;
      this.bound = bound;
    }

    @Override
    public Future<?> start() {
      deploymentId = context.deploymentID();
      long authMillis = limits.authTimeout().toMillis();
      sweepTimer = vertx.setPeriodic(Math.max(50, Math.min(1000, authMillis / 10)),
          t -> closeUnauthenticated(authMillis));
      server = vertx.createNetServer(options).connectHandler(this::accept);
      return server.listen().onComplete(listening -> {
        if (listening.succeeded()) {
          bound.tryComplete(listening.result().actualPort());
        } else {
          bound.tryFail(listening.cause());
        }
      });
    }

    @Override
    public Future<?> stop() {
      vertx.cancelTimer(sweepTimer);
      return server == null ? Future.succeededFuture() : server.close();
    }

    private void accept(NetSocket socket) {
      String ip = socket.remoteAddress().hostAddress();
      if (!caps.admit(ip)) {
        refusedConnections.increment();
        socket.close();
        return;
      }
      StreamLink link;
      try {
        link = new StreamLink(socket, context, FiveTuple.tcp(inet(socket.remoteAddress()),
            inet(socket.localAddress())), limits.sendQueueBytes(), droppedPackets, sentBytes, clock.millis());
      } catch (UnknownHostException notAnAddress) {
        caps.release(ip);
        socket.close();
        return;
      }
      links.add(link);
      StreamAssembler framer = new StreamAssembler();
      socket.handler(chunk -> {
        receivedBytes.add(chunk.length());
        if (!framer.feed(ByteBuffer.wrap(chunk.getBytes()), message -> deliver(message, link))) {
          LOG.fine(() -> "not TURN from " + link.remote() + ": closed");
          socket.close();
        }
      });
      socket.exceptionHandler(e -> LOG.fine(() -> "TURN stream " + link.remote() + ": " + e.getMessage()));
      socket.closeHandler(v -> {
        links.remove(link);
        link.markClosed();
        caps.release(ip);
        handler.onClosed(link);
      });
    }

    private void deliver(ByteBuffer message, StreamLink link) {
      try {
        handler.onPacket(message, message.position(), message.remaining(), link);
      } catch (RuntimeException e) {
        // the frame's bounds are known, so the stream stays in step: a bad frame costs that frame only, as a
        // bad datagram does over UDP, not the connection and its allocation
        LOG.log(Level.FINE, "frame from " + link.remote() + " dropped", e);
      }
    }

    private void closeUnauthenticated(long authMillis) {
      long now = clock.millis();
      for (StreamLink link : List.copyOf(links)) {
        if (!link.isAuthenticated() && now - link.openedAt >= authMillis) {
          links.remove(link);
          unauthenticatedClosed.increment();
          link.close();
        }
      }
    }
  }
}

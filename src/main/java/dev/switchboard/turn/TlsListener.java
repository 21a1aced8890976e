package dev.switchboard.turn;

import dev.switchboard.turn.allocation.FiveTuple;
import dev.switchboard.turn.listen.StreamAssembler;
import dev.switchboard.turn.tls.PemIdentity;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * TURN over TLS ({@code turns:}), or plain TCP, on Vert.x event loops: no thread per connection. Each
 * connection costs its framer's one-message buffer and whatever it has queued to send (bounded by
 * {@link TlsLink}). A connection that has not authenticated a request after {@code unauthenticated} is closed, and
 * connections are capped in total and per source address, so idle or half-open sockets cannot pile up.
 */
final class TlsListener {
  private static final Logger LOG = Logger.getLogger(TlsListener.class.getName());

  /** Caps and timers of one listener. */
  record Limits(int maxConnections, int maxConnectionsPerIp, Duration unauthenticated) {
  }

  final LongAdder droppedPackets = new LongAdder();
  /** TURN stream bytes (TLS payload) read from clients, and written to them (relayed media and answers). */
  final LongAdder receivedBytes = new LongAdder();
  final LongAdder sentBytes = new LongAdder();
  final LongAdder refusedConnections = new LongAdder();
  final LongAdder unauthenticatedClosed = new LongAdder();
  private final Vertx vertx;
  private final TurnServer turn;
  private final Limits limits;
  private final PemIdentity tls;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, Integer> perIp = new ConcurrentHashMap<>();
  private NetServer server;

  /** @param tls the certificate served, or null for plain TCP */
  TlsListener(Vertx vertx, TurnServer turn, Limits limits, PemIdentity tls) {
    this.vertx = vertx;
    this.turn = turn;
    this.limits = limits;
    this.tls = tls;
  }

  Future<Integer> listen(String host, int port) {
    NetServerOptions options = new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
        // a TLS handshake that never completes holds a slot for 10 s at most
        .setSslHandshakeTimeout(10).setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(tls.keyCertOptions());
    }
    server = vertx.createNetServer(options).connectHandler(this::accept);
    return server.listen().map(NetServer::actualPort);
  }

  /** Serves a renewed certificate to new connections; open ones keep theirs. */
  Future<Boolean> serve(PemIdentity renewed) {
    return server.updateSSLOptions(new ServerSSLOptions().setKeyCertOptions(renewed.keyCertOptions()), true);
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  int openConnections() {
    return open.get();
  }

  private void accept(NetSocket socket) {
    String ip = socket.remoteAddress().hostAddress();
    int fromIp = perIp.merge(ip, 1, Integer::sum);
    if (open.incrementAndGet() > limits.maxConnections() | fromIp > limits.maxConnectionsPerIp()) {
      release(ip);
      refusedConnections.increment();
      socket.close();
      return;
    }
    Context context = vertx.getOrCreateContext();
    TlsLink link = new TlsLink(socket, context, FiveTuple.tcp(
        new InetSocketAddress(socket.remoteAddress().hostAddress(), socket.remoteAddress().port()),
        new InetSocketAddress(socket.localAddress().hostAddress(), socket.localAddress().port())), droppedPackets,
        sentBytes);
    StreamAssembler framer = new StreamAssembler();
    long unauthenticated = vertx.setTimer(limits.unauthenticated().toMillis(), t -> {
      if (!link.isAuthenticated()) {
        unauthenticatedClosed.increment();
        socket.close();
      }
    });
    socket.handler(chunk -> {
      receivedBytes.add(chunk.length());
      boolean turnStream = framer.feed(ByteBuffer.wrap(chunk.getBytes()),
          message -> turn.onClientPacket(message, message.position(), message.remaining(), link));
      if (!turnStream) {
        LOG.fine(() -> "not TURN from " + link.remote() + ": closed");
        socket.close();
      }
    });
    socket.exceptionHandler(e -> LOG.fine(() -> "TURN stream " + link.remote() + ": " + e.getMessage()));
    socket.closeHandler(v -> {
      vertx.cancelTimer(unauthenticated);
      turn.streamClosed(link);
      release(ip);
    });
    socket.setWriteQueueMaxSize(64 * 1024);
  }

  private void release(String ip) {
    open.decrementAndGet();
    perIp.computeIfPresent(ip, (k, count) -> count <= 1 ? null : count - 1);
  }
}

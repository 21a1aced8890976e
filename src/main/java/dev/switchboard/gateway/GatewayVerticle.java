package dev.switchboard.gateway;

import dev.switchboard.auth.AccessGrant;
import dev.switchboard.auth.AccessTokens;
import dev.switchboard.auth.AuthFailure;
import dev.switchboard.auth.TokenExtractor;
import dev.switchboard.placement.MediaPlacement;
import dev.switchboard.channel.SocketLimits;
import dev.switchboard.bus.RecordCodec;
import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.TurnRevocation;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SessionHandover;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.room.RegistryClient;
import dev.switchboard.session.ResumeTokens;
import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * HTTP and WebSocket front of a node: the web app, the Phoenix socket at {@code /socket/websocket}
 * and {@code /health}. Holds sockets, not room state: membership lives in the registry.
 */
public final class GatewayVerticle extends VerticleBase {
  /** A media node that does not answer a negotiation step in this long is unavailable to the client. */
  private static final long MEDIA_TIMEOUT_MILLIS = 5_000;
  public static final String SOCKET_PATH = "/socket/websocket";
  private static final Logger LOG = Logger.getLogger(GatewayVerticle.class.getName());
  private static final String SUPPORTED_VSN = "2.0.0";
  /** The idle timer is not exact: a socket quiet for nearly the timeout when it closed timed out. */
  private static final long IDLE_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** How often sockets are checked for an outbound queue that stays full. */
  private static final long BACKLOG_SWEEP_MILLIS = 1_000;
  /** How often direct deliveries are checked for a confirmation overdue (SignalRelay.DELIVERY_TIMEOUT_MILLIS). */
  private static final long DEADLINE_SWEEP_MILLIS = 500;

  private final SwitchboardConfig config;
  private final IceServers iceServers;
  private final SwitchboardMetrics metrics;
  private final ConnectionLimits connectionLimits;
  private final LocalPeers localPeers;
  private ClientAddress clientAddresses;
  private RegistryClient readiness;
  private AccessTokens tokens;
  private final Set<PeerSession> sessions = new LinkedHashSet<>();
  /** Sessions whose socket is gone, held for a resume: they leave their rooms when the node stops. */
  private final Set<PeerSession> held = new LinkedHashSet<>();
  private HttpServer server;
  private Signaling signaling;
  private SocketLimits limits;
  private OriginPolicy origins;
  /** Node-level hooks of a clustered node (see {@link #clusterHooks}); a single node always admits. */
  private volatile BooleanSupplier admitting = () -> true;
  private volatile Supplier<Future<String>> clusterCheck;
  /** Which node serves a room's media; a single node serves its own (see {@link #mediaPlacement}). */
  private volatile MediaPlacement placement;

  /**
   * @param connectionLimits shared by every gateway instance of the node
   * @param localPeers       the node's peer sessions, shared by every gateway instance of the node
   */
  public GatewayVerticle(SwitchboardConfig config, IceServers iceServers, SwitchboardMetrics metrics,
                         ConnectionLimits connectionLimits, LocalPeers localPeers) {
    this.config = config;
    this.iceServers = iceServers;
    this.metrics = metrics;
    this.connectionLimits = connectionLimits;
    this.localPeers = localPeers;
  }

  /** A gateway with caps and a session map of its own (one instance, or tests). */
  public GatewayVerticle(SwitchboardConfig config, IceServers iceServers, SwitchboardMetrics metrics) {
    this(config, iceServers, metrics, limitsFor(config), new LocalPeers());
  }

  public static ConnectionLimits limitsFor(SwitchboardConfig config) {
    return new ConnectionLimits(config.http().maxConnections(), config.http().maxConnectionsPerIp(),
        config.http().joinsPerIpPerSecond(), config.http().joinBurstPerIp());
  }

  @Override
  public Future<?> start() {
    SwitchboardConfig.ChannelConfig channel = config.channel();
    limits = new SocketLimits(channel.maxFrameBytes(), channel.maxChannels(),
        channel.rateLimit().messagesPerSecond(), channel.rateLimit().burst(), channel.rateLimit().closeAfterRefused(),
        channel.maxMediaEventBytes());
    RecordCodec.install(vertx.eventBus());
    origins = new OriginPolicy(config.http().allowedOrigins(), config.http().allowLocalhostOrigins());
    clientAddresses = new ClientAddress(config.http().trustedProxies());
    long slowReaderNanos = channel.slowReaderTimeout().toNanos();
    // cancelled with the verticle on undeploy
    vertx.setPeriodic(BACKLOG_SWEEP_MILLIS, t -> {
      for (PeerSession session : sessions) {
        if (session.socket().checkWriteBacklog(slowReaderNanos)) {
          metrics.slowReaderClosed();
        }
      }
    });
    readiness = new RegistryClient(vertx.eventBus(), 1_000);
    // reads PEM files: off the event loop
    return vertx.executeBlocking(() -> AccessTokens.from(vertx, config.auth(), java.time.Clock.systemUTC()))
        .compose(accessTokens -> {
          tokens = accessTokens;
          RegistryClient registry = new RegistryClient(vertx.eventBus(), 5_000);
          RoomBroadcasts broadcasts = new RoomBroadcasts(vertx.eventBus());
          DeliveryDeadlines deadlines = new DeliveryDeadlines(
              TimeUnit.MILLISECONDS.toNanos(SignalRelay.DELIVERY_TIMEOUT_MILLIS), System::nanoTime);
          // cancelled with the verticle on undeploy
          vertx.setPeriodic(DEADLINE_SWEEP_MILLIS, t -> deadlines.sweep());
          SignalRelay relay = new SignalRelay(registry, broadcasts.members(), localPeers, vertx.eventBus(), deadlines,
              metrics);
          signaling = new Signaling(config.nodeId(), registry,
              broadcasts, iceServers, metrics, vertx.eventBus(), tokens,
              config.auth().tokenMode(), connectionLimits, vertx, new ResumeTokens(),
              config.sessionResume().toMillis(), new MediaClient(vertx.eventBus(), MEDIA_TIMEOUT_MILLIS,
              placement == null ? MediaPlacement.singleNode(config.nodeId()) : placement),
              config.rooms().topology(), localPeers, relay);
          // a lost node's media rooms are renegotiated elsewhere (protocol.md §8, media:reset)
          vertx.eventBus().<String>localConsumer(Addresses.NODE_LOST, lost -> signaling.media().nodeLost(lost.body()));
          server = vertx.createHttpServer(serverOptions(channel));
          return server.requestHandler(router()).listen(config.http().port(), config.http().host());
        });
  }

  private HttpServerOptions serverOptions(SwitchboardConfig.ChannelConfig channel) {
    return new HttpServerOptions()
        // permessage-deflate costs ~85 KB of native memory per socket; signaling frames are small
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(channel.transportMaxFrameBytes())
        .setMaxWebSocketMessageSize(channel.transportMaxFrameBytes())
        .setReadIdleTimeout((int) channel.idleTimeout().toSeconds())
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        // phoenix.js 1.8 authToken clients offer "phoenix, base64url.bearer.phx.<token>"
        .setWebSocketSubProtocols(List.of("phoenix"));
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.get(SOCKET_PATH).handler(this::upgrade);
    router.get("/health").handler(rc -> rc.json(new JsonObject().put("status", "ok").put("node", config.nodeId())));
    HttpApi api = new HttpApi(vertx, config, metrics, tokens, readiness, clusterCheck);
    router.get("/ready").handler(api::ready);
    router.get("/api/ice-servers").handler(api::iceServers);
    router.get("/api/turn").handler(api::turnRestApi);
    Path webroot = Path.of(config.http().webroot()).toAbsolutePath().normalize();
    router.get().handler(StaticHandler.create(FileSystemAccess.ROOT, webroot.toString()));
    // client-side routes such as /r/<room> are the app's: answer them with index.html
    router.get().handler(rc -> {
      String path = rc.normalizedPath();
      if (path.startsWith("/socket/") || path.startsWith("/api/") || path.substring(path.lastIndexOf('/')).contains(".")) {
        rc.next();
        return;
      }
      rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
          .sendFile(webroot.resolve("index.html").toString());
    });
    return router;
  }

  private void upgrade(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    if (!SUPPORTED_VSN.equals(request.getParam("vsn"))) {
      rc.response().setStatusCode(403).end("unsupported protocol version: vsn=2.0.0 is required\n");
      return;
    }
    if (!origins.allows(request.getHeader(HttpHeaders.ORIGIN), request.getHeader(HttpHeaders.HOST))) {
      rc.response().setStatusCode(403).end("origin not allowed\n");
      return;
    }
    if (!admitting.getAsBoolean()) {
      // the node is rejoining its cluster after a pause: the client retries, through a proxy on another node
      rc.response().setStatusCode(503).putHeader(HttpHeaders.RETRY_AFTER, "1").end("node rejoining its cluster\n");
      return;
    }
    String client = clientAddresses.of(request.remoteAddress().hostAddress(), request.getHeader("X-Forwarded-For"));
    ConnectionLimits.Refusal refusal = connectionLimits.tryAcquire(client);
    if (refusal != null) {
      metrics.socketRefused(refusal.reason);
      rc.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
      HttpApi.jsonError(rc, refusal.status, refusal.reason);
      return;
    }
    String token = TokenExtractor.fromConnect(request.getParam("token"),
        String.join(",", request.headers().getAll("Sec-WebSocket-Protocol")));
    String resume = request.getParam("resume");
    if (resume != null) {
      request.pause();
      resumeUpgrade(request, client, token, resume);
      return;
    }
    if (token == null) {
      if (config.auth().tokenMode()) {
        refuseUpgrade(rc, client, "missing_token");
        return;
      }
      upgradeWith(request, client, null);
      return;
    }
    request.pause();
    tokens.verify(token).onComplete(verified -> {
      if (verified.succeeded()) {
        upgradeWith(request, client, verified.result());
      } else {
        // a token that was sent must be good, in either mode; the detail is for this log only
        refuseUpgrade(rc, client, verified.cause() instanceof AuthFailure auth ? auth.detail() : "invalid");
      }
    });
  }

  /**
   * A socket that asks for its old session is admitted whatever its tokens: with the session when its holder
   * hands it over, otherwise as a new peer whose first join says {@code resume_expired}.
   */
  private void resumeUpgrade(HttpServerRequest request, String client, String token, String resumeToken) {
    Future<AccessGrant> tokenGrant = token == null ? Future.succeededFuture()
        : tokens.verify(token).otherwise((AccessGrant) null);
    tokenGrant.onComplete(g -> SessionTakeover.request(vertx.eventBus(), metrics, signaling.resumeEnabled(),
        resumeToken).onComplete(h -> {
      SessionHandover handover = h.result();
      AccessGrant grant = handover != null && handover.grant() != null ? handover.grant() : g.result();
      upgradeWith(request, client, grant, handover, handover == null);
    }));
  }

  private void refuseUpgrade(RoutingContext rc, String client, String detail) {
    connectionLimits.release(client);
    metrics.accessRefused("connect", detail);
    LOG.info(() -> "upgrade from " + client + " refused: " + detail);
    HttpApi.jsonError(rc, 403, "unauthorized");
  }

  private void upgradeWith(HttpServerRequest request, String client, AccessGrant grant) {
    upgradeWith(request, client, grant, null, false);
  }

  private void upgradeWith(HttpServerRequest request, String client, AccessGrant grant, SessionHandover handover,
                           boolean resumeRefused) {
    // the connection's Netty channel: Vert.x's (and vertx-web's) WebSocket types do not expose it
    Channel channel = ((ConnectionBase) request.connection()).channel();
    request.toWebSocket()
        .onSuccess(ws -> open(ws, channel, client, grant, handover, resumeRefused))
        .onFailure(e -> {
          connectionLimits.release(client);
          LOG.log(Level.FINE, "WebSocket upgrade failed", e);
          if (handover != null) {
            // taken over for a socket that never opened: nobody can resume it any more
            handover.rooms().forEach(room -> signaling.registry()
                .leave(new LeaveRequest(room, handover.peerId(), RoomEvent.LEFT_CLOSED)));
            if (!handover.turnUsernames().isEmpty()) {
              vertx.eventBus().publish(Addresses.TURN_REVOKE,
                  new TurnRevocation(handover.peerId(), handover.turnUsernames()).toJson());
            }
          }
        });
  }

  private void open(ServerWebSocket ws, Channel channel, String client, AccessGrant grant, SessionHandover handover,
                    boolean resumeRefused) {
    UpgradeLeftovers.release(channel, ws);
    WebSocketTransport transport = new WebSocketTransport(ws, channel, config.channel().closeTimeout().toMillis(),
        config.channel().transportMaxFrameBytes());
    PeerSession session = new PeerSession(handover != null ? handover.peerId() : PeerIds.next(), client, transport,
        limits, signaling, grant);
    if (handover != null) {
      session.adopt(handover);
      metrics.sessionOutcome("resumed");
    } else if (resumeRefused) {
      session.refuseResume();
    }
    session.onEnded(() -> {
      if (held.remove(session)) {
        metrics.sessionHeld(false);
        connectionLimits.release(client);
      }
    });
    sessions.add(session);
    metrics.socketOpened();
    transport.channel().pipeline().addBefore("handler", FrameGuard.NAME,
        new FrameGuard(session.socket(), config.channel().transportMaxFrameBytes()));
    ws.setWriteQueueMaxSize(config.channel().transportMaxFrameBytes());
    ws.pause();
    ws.textMessageHandler(session.socket()::onText);
    ws.binaryMessageHandler(session.socket()::onBinary);
    ws.exceptionHandler(e -> LOG.log(Level.FINE, "socket of " + session.peerId() + ": " + e.getMessage()));
    long idleNanos = config.channel().idleTimeout().toNanos();
    ws.closeHandler(v -> {
      metrics.socketClosed();
      if (!sessions.remove(session)) {
        connectionLimits.release(client);
        return;
      }
      if (session.socket().quietNanos() >= idleNanos - IDLE_SLACK_NANOS) {
        metrics.heartbeatTimeout();
      }
      session.transportClosed().onComplete(closed -> {
        if (session.isHeld() && held.add(session)) {
          // a held session keeps its connection slot until it ends: the per-address and node caps bound what
          // drop-and-reconnect loops can leave held (each with a bus address, a timer and held signals)
          metrics.sessionHeld(true);
        } else {
          connectionLimits.release(client);
        }
      });
    });
    session.listen(vertx.eventBus()).onComplete(ready -> {
      if (ready.succeeded()) {
        ws.resume();
      } else {
        LOG.log(Level.WARNING, "no event-bus address for " + session.peerId(), ready.cause());
        ws.close((short) 1011, "peer address unavailable");
      }
    });
  }

  /** Node shutdown: every peer leaves its rooms ({@code peer:left} goes out), then its socket closes with 1001. */
  @Override
  public Future<?> stop() {
    List<Future<Void>> closing = new ArrayList<>();
    for (PeerSession session : List.copyOf(sessions)) {
      sessions.remove(session);
      closing.add(session.shutdown());
    }
    for (PeerSession session : List.copyOf(held)) {
      closing.add(session.shutdown());
    }
    Promise<Void> bounded = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, config.shutdownGrace().toMillis()), t -> bounded.tryComplete());
    Future.join(closing).onComplete(done -> {
      vertx.cancelTimer(timer);
      bounded.tryComplete();
    });
    return bounded.future().compose(v -> server == null ? Future.succeededFuture() : server.close());
  }

  /**
   * Set by a clustered node before deployment: whether new sockets are admitted (503 with Retry-After
   * otherwise) and the cluster check of {@code /ready} ({@code ok}, or what is wrong).
   */
  public GatewayVerticle clusterHooks(BooleanSupplier admitting, Supplier<Future<String>> clusterCheck) {
    this.admitting = admitting;
    this.clusterCheck = clusterCheck;
    return this;
  }

  /** Where rooms' media are served in a cluster (set before deployment). */
  public GatewayVerticle mediaPlacement(MediaPlacement placement) {
    this.placement = placement;
    return this;
  }

  /** Every peer leaves its rooms, then its socket closes with {@code code}; the gateway keeps serving. */
  public Future<Void> closeAll(short code, String reason) {
    if (context == null) {
      return Future.succeededFuture(); // not deployed yet: no sockets
    }
    Promise<Void> closed = Promise.promise();
    context.runOnContext(v -> {
      List<Future<Void>> closing = new ArrayList<>();
      for (PeerSession session : List.copyOf(sessions)) {
        sessions.remove(session);
        closing.add(session.close(code, reason));
      }
      for (PeerSession session : List.copyOf(held)) {
        closing.add(session.close(code, reason));
      }
      Future.join(closing).<Void>mapEmpty().onComplete(closed);
    });
    return closed.future();
  }

  /** The port actually bound (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }
}

package dev.switchboard.media;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.MediaPush;
import dev.switchboard.bus.MediaReply;
import dev.switchboard.bus.MediaRequest;
import dev.switchboard.config.PortUnavailable;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.media.forward.MediaCounters;
import dev.switchboard.media.forward.MediaRefusal;
import dev.switchboard.media.forward.Router;
import dev.switchboard.media.negotiation.NegotiationRefusal;
import dev.switchboard.media.node.MediaEvents;
import dev.switchboard.media.node.MediaNode;
import dev.switchboard.media.sdp.MediaPlan;
import dev.switchboard.media.transport.DtlsServer;
import dev.switchboard.media.transport.MediaPort;
import dev.switchboard.media.transport.NodeCertificate;
import dev.switchboard.media.transport.TransportSessions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Glue of the media node: binds its UDP port, answers the gateways' {@code MediaRequest}s by handing them to the
 * {@link MediaNode} on the packet thread, and sends the node's events to each participant's own bus address.
 */
public final class MediaVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(MediaVerticle.class.getName());
  /** RFC 8445 §5.1.2.1 type preference 126 for host, one component: the priority of the node's one candidate. */
  private static final long HOST_PRIORITY = (126L << 24) | (65535L << 8) | 255;
  private static final DeliveryOptions PUSH = new DeliveryOptions().addHeader(Addresses.PEER_OP, Addresses.PEER_MEDIA)
      .setSendTimeout(5_000);

  private final SwitchboardConfig.MediaConfig config;
  private final String nodeId;
  /** Used on the packet thread only, as the node is. */
  private final GatewaySeats seats = new GatewaySeats();
  private final MediaCounters counters;
  private final Router.Limits limits;
  private MediaPort port;
  private DtlsServer dtls;
  private MediaNode node;
  private List<ScheduledFuture<?>> ticks = List.of();

  /**
   * @param nodeId   this cluster node's id: the node answers on {@link Addresses#mediaNode}(nodeId)
   * @param counters where the node counts its packets, for the metrics endpoint
   * @param limits   the node's caps (rooms, participants, per room: rooms.max-peers, tracks per participant)
   */
  public MediaVerticle(SwitchboardConfig.MediaConfig config, String nodeId, MediaCounters counters,
      Router.Limits limits) {
    this.config = config;
    this.nodeId = nodeId;
    this.counters = counters;
    this.limits = limits;
  }

  @Override
  public Future<?> start() {
    return vertx.executeBlocking(() -> {
      try {
        port = MediaPort.bind(config.host(), config.port(), MediaPort.Io.AUTO);
      } catch (BindException e) {
        throw new PortUnavailable("media.port", config.host() + ":" + config.port() + " (udp)", e);
      }
      dtls = new DtlsServer(NodeCertificate.generate());
      dev.switchboard.media.transport.SrtpWarmUp.run(); // its cipher benchmark, here and not on the packet thread
      return port;
    }).compose(bound -> {
      TransportSessions sessions = new TransportSessions(port, System::currentTimeMillis,
          TransportSessions.Limits.defaults());
      node = new MediaNode(sessions, dtls, new Router(limits, new SecureRandom()),
          List.of(new MediaPlan.Candidate(config.announcedIp(), port.localAddress().getPort(), HOST_PRIORITY)),
          events(), port::execute, System::nanoTime, counters);
      counters.portDropped(port::dropped);
      port.start(sessions::onDatagram);
      ticks = List.of(port.schedule(node::tick, Duration.ofMillis(20)),
          port.schedule(node::slowTick, Duration.ofSeconds(1)));
      LOG.info(() -> "media node on udp " + port.localAddress() + " (" + port.engine() + "), announced as "
          + config.announcedIp() + ":" + port.localAddress().getPort() + ", SRTP " 
          + dev.switchboard.media.transport.SrtpSession.backend());
      // the gateway node holding a participant's socket went away: its leave will never come
      vertx.eventBus().<String>localConsumer(Addresses.NODE_LOST, lost -> gatewayLost(lost.body()));
      // cluster-wide: gateways of every node send the requests of the rooms this node owns
      return vertx.eventBus().<JsonObject>consumer(Addresses.mediaNode(nodeId), this::handle).completion();
    });
  }

  /** The node's UDP address (its port when configured as 0 in specs). */
  public InetSocketAddress localAddress() {
    return port.localAddress();
  }

  private MediaEvents events() {
    return (room, peerId, event, payload) -> vertx.eventBus()
        .request(Addresses.peer(peerId), new MediaPush(room, event, payload).toJson(), PUSH)
        .onFailure(e -> LOG.fine(() -> event + " to " + peerId + " not delivered: " + e.getMessage()));
  }

  private void gatewayLost(String gatewayNode) {
    port.execute(() -> {
      for (GatewaySeats.Seat seat : seats.gatewayLost(gatewayNode)) {
        node.leave(seat.room(), seat.peerId());
      }
    });
  }

  private void handle(Message<JsonObject> message) {
    MediaRequest request = MediaRequest.fromJson(message.body());
    Future<MediaReply> reply = switch (request.op()) {
      case OFFER -> onPacketThread(() -> {
        MediaReply answer = new MediaReply(node.offer(request.room(), request.peerId(), request.sdp(),
            request.publish()));
        seats.seated(request.room(), request.peerId(), request.nodeId());
        return answer;
      });
      case ANSWER -> onPacketThread(() -> {
        node.answer(request.room(), request.peerId(), request.sdp());
        return new MediaReply(null);
      });
      case CANDIDATE -> Future.succeededFuture(new MediaReply(null)); // ICE-lite learns addresses from checks
      case LEAVE -> onPacketThread(() -> {
        node.leave(request.room(), request.peerId());
        seats.left(request.peerId());
        return new MediaReply(null);
      });
    };
    reply.onComplete(done -> {
      if (done.succeeded()) {
        message.reply(done.result().toJson());
        if (request.op() == MediaRequest.Op.OFFER) {
          // after the reply: the node's own offer must reach the client after the answer to its offer
          port.execute(() -> node.answerSent(request.peerId()));
        }
      } else if (done.cause() instanceof NegotiationRefusal refusal) {
        message.fail(BusFailure.REFUSED, refusal.reason());
      } else if (done.cause() instanceof MediaRefusal refusal) {
        message.fail(BusFailure.REFUSED, refusal.reason());
      } else {
        LOG.log(Level.WARNING, "media request " + request.op() + " of " + request.peerId() + " failed", done.cause());
        message.fail(BusFailure.REFUSED, BusFailure.MEDIA_UNAVAILABLE);
      }
    });
  }

  private <T> Future<T> onPacketThread(Callable<T> work) {
    Promise<T> promise = Promise.promise();
    port.execute(() -> {
      try {
        promise.complete(work.call());
      } catch (Throwable e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  @Override
  public Future<?> stop() {
    ticks.forEach(t -> t.cancel(false));
    Promise<Void> closed = Promise.promise();
    if (port == null) {
      return Future.succeededFuture();
    }
    port.close().whenComplete((v, e) -> closed.complete());
    return closed.future().onComplete(v -> {
      if (dtls != null) {
        dtls.close();
      }
    });
  }
}

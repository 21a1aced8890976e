package dev.switchboard.gateway;

import dev.switchboard.auth.AccessTokens;
import dev.switchboard.auth.AuthFailure;
import dev.switchboard.auth.TokenExtractor;
import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.IceServersReply;
import dev.switchboard.cluster.ClusterSupport;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.room.RegistryClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Consumer;
import java.util.function.Supplier;

/** The node's small HTTP API beside the socket: {@code /ready}, {@code /api/ice-servers}, {@code /api/turn}. */
final class HttpApi {
  private static final String READINESS_PROBE_ROOM = "_ready";

  private final Vertx vertx;
  private final SwitchboardConfig config;
  private final SwitchboardMetrics metrics;
  private final AccessTokens tokens;
  private final RegistryClient readiness;
  /** The cluster check of a clustered node, null otherwise. */
  private final Supplier<Future<String>> clusterCheck;

  HttpApi(Vertx vertx, SwitchboardConfig config, SwitchboardMetrics metrics, AccessTokens tokens,
          RegistryClient readiness, Supplier<Future<String>> clusterCheck) {
    this.vertx = vertx;
    this.config = config;
    this.metrics = metrics;
    this.tokens = tokens;
    this.readiness = readiness;
    this.clusterCheck = clusterCheck;
  }

  /**
   * ICE servers over HTTP, for admitted peers only: 404 in open mode (the join reply and {@code ice:refresh}
   * carry them); in token mode a bearer access token and the {@code peer_id} of a peer of that identity that
   * is in a room, 401 otherwise.
   */
  void iceServers(RoutingContext rc) {
    admittedPeerIceServers(rc, reply -> rc.json(new JsonObject().put("ice_servers", reply.iceServers())
        .put("ttl", reply.ttlSeconds())));
  }

  /** The TURN REST API form: {@code GET /api/turn?service=turn&peer_id=<id>} → {@code {username, password, ttl, uris}}. */
  void turnRestApi(RoutingContext rc) {
    if (config.auth().tokenMode() && !"turn".equals(rc.request().getParam("service"))) {
      jsonError(rc, 400, "service must be turn");
      return;
    }
    admittedPeerIceServers(rc, reply -> rc.json(reply.restApiJson()));
  }

  private void admittedPeerIceServers(RoutingContext rc, Consumer<IceServersReply> answer) {
    if (!config.auth().tokenMode()) {
      jsonError(rc, 404, "not_found");
      return;
    }
    String token = TokenExtractor.fromAuthorization(rc.request().getHeader(HttpHeaders.AUTHORIZATION));
    String peerId = rc.request().getParam("peer_id");
    if (token == null || peerId == null) {
      metrics.accessRefused("ice_servers", "no_token");
      jsonError(rc, 401, "unauthorized");
      return;
    }
    tokens.verify(token)
        .compose(grant -> vertx.eventBus().<JsonObject>request(Addresses.peer(peerId),
            new JsonObject().put("identity", grant.identity()),
            new DeliveryOptions().setSendTimeout(2_000).addHeader(Addresses.PEER_OP, Addresses.PEER_ICE)))
        .onSuccess(message -> answer.accept(IceServersReply.fromJson(message.body())))
        .onFailure(e -> {
          metrics.accessRefused("ice_servers", e instanceof AuthFailure auth ? auth.detail() : "not_admitted");
          jsonError(rc, 401, "unauthorized");
        });
  }

  static void jsonError(RoutingContext rc, int status, String error) {
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", error).encode());
  }

  /** Ready when the registry answers; the body names each check and what is wrong with it. */
  void ready(RoutingContext rc) {
    Future<String> registry = readiness.members(READINESS_PROBE_ROOM).map("ok")
        .otherwise(BusFailure::reasonOf);
    Future<String> turn = !config.turn().relayEnabled() ? Future.succeededFuture("disabled")
        : vertx.eventBus().request(Addresses.TURN_STATUS, new JsonObject(),
            new DeliveryOptions().setLocalOnly(true).setSendTimeout(1_000)).map("ok").otherwise("not_listening");
    Future<String> cluster = clusterCheck != null ? clusterCheck.get() : Future.succeededFuture(
        !config.cluster().enabled() ? "disabled" : ClusterSupport.active(vertx) ? "ok" : "not_joined");
    Future.join(registry, turn, cluster).onComplete(done -> {
      boolean ready = "ok".equals(registry.result()) && !"not_listening".equals(turn.result())
          && ("ok".equals(cluster.result()) || "disabled".equals(cluster.result()));
      rc.response().setStatusCode(ready ? 200 : 503).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(new JsonObject().put("status", ready ? "ready" : "not_ready").put("node", config.nodeId())
              .put("checks", new JsonObject().put("registry", registry.result()).put("turn", turn.result())
                  .put("cluster", cluster.result())).encode());
    });
  }
}

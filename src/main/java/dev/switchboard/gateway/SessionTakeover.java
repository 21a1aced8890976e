package dev.switchboard.gateway;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.SessionHandover;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.session.ResumeTokens;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Asks the session named by a resume token to move to a new socket: the token's claims are only peeked at to
 * find the session's address (wherever in the cluster it is); the session itself verifies them.
 */
final class SessionTakeover {
  /** Long enough for a busy node to answer; a node that is gone fails at once (no handler). */
  private static final long TIMEOUT_MILLIS = 3_000;

  private SessionTakeover() {
  }

  /** The handed-over session, or null when refused, expired, disabled or nobody answers. */
  static Future<SessionHandover> request(EventBus bus, SwitchboardMetrics metrics, boolean enabled,
                                         String resumeToken) {
    ResumeTokens.Claims claims = ResumeTokens.peek(resumeToken);
    if (claims == null || !enabled) {
      metrics.accessRefused("resume", enabled ? "malformed" : "disabled");
      return Future.succeededFuture();
    }
    return bus.<JsonObject>request(Addresses.peer(claims.peerId()), new JsonObject().put("token", resumeToken),
            new DeliveryOptions().setSendTimeout(TIMEOUT_MILLIS).addHeader(Addresses.PEER_OP, Addresses.PEER_RESUME))
        .map(message -> SessionHandover.fromJson(message.body()))
        .otherwise(failure -> {
          metrics.accessRefused("resume", BusFailure.reasonOf(failure));
          return null;
        });
  }
}

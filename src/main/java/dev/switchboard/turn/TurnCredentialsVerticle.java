package dev.switchboard.turn;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.IceServersReply;
import dev.switchboard.bus.IceServersRequest;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.time.Clock;

/**
 * Hands out ICE servers with fresh TURN credentials over the event bus, each bound to the admitted peer the
 * caller names (the caller has checked the admission; this verticle only signs).
 */
public final class TurnCredentialsVerticle extends VerticleBase {
  private final TurnCredentials credentials;
  private final IceServerList servers;
  private final Clock clock;

  public TurnCredentialsVerticle(TurnCredentials credentials, IceServerList servers, Clock clock) {
    this.credentials = credentials;
    this.servers = servers;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<io.vertx.core.json.JsonObject>localConsumer(Addresses.TURN_CREDENTIALS, message -> {
      IceServersRequest request = IceServersRequest.fromJson(message.body());
      TurnCredential credential = credentials.issue(request.peerId(), request.identity(),
          clock.instant().getEpochSecond());
      message.reply(new IceServersReply(servers.build(credential), credential.username(), credential.password(),
          credential.ttlSeconds(), servers.turnUris()).toJson());
    }).completion();
  }
}

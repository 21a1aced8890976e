package dev.switchboard.gateway;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.IceServersReply;
import dev.switchboard.bus.IceServersRequest;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.logging.Logger;

/** ICE servers from this node's TURN credentials verticle. */
public final class BusIceServers implements IceServers {
  private static final Logger LOG = Logger.getLogger(BusIceServers.class.getName());
  private final EventBus bus;
  private final DeliveryOptions options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(2_000);

  public BusIceServers(EventBus bus) {
    this.bus = bus;
  }

  /** A join still succeeds without ICE servers (direct paths may work); the operator sees why. */
  @Override
  public Future<IceServersReply> forPeer(String peerId, String identity) {
    return bus.<JsonObject>request(Addresses.TURN_CREDENTIALS, new IceServersRequest(peerId, identity).toJson(),
            options)
        .map(Message::body).map(IceServersReply::fromJson).recover(e -> {
          LOG.warning("no ICE servers for peer " + peerId + ": " + e.getMessage());
          return Future.succeededFuture(IceServers.NO_SERVERS);
        });
  }
}

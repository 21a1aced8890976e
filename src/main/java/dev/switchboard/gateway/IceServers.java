package dev.switchboard.gateway;

import dev.switchboard.bus.IceServersReply;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

import java.util.List;

/**
 * The {@code ice_servers} an admitted peer gets (RTCIceServer objects), with the TURN username they carry so
 * that the session can revoke it when it ends.
 */
@FunctionalInterface
public interface IceServers {
  IceServersReply NO_SERVERS = new IceServersReply(new JsonArray(), null, null, 0, List.of());
  IceServers NONE = (peerId, identity) -> Future.succeededFuture(NO_SERVERS);

  Future<IceServersReply> forPeer(String peerId, String identity);
}

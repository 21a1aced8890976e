package dev.switchboard.gateway;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;

/** The {@code ice_servers} a peer gets in its join reply (RTCIceServer objects). */
@FunctionalInterface
public interface IceServers {
  IceServers NONE = peerId -> Future.succeededFuture(new JsonArray());

  Future<JsonArray> forPeer(String peerId);
}

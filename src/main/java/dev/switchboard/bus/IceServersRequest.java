package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/**
 * Anyone → TURN credentials: ICE servers with a credential bound to {@code peerId}, an admitted peer, and
 * tagged with its {@code identity} (null when it has none) so that the relay can count and revoke per peer
 * and per identity.
 */
public record IceServersRequest(String peerId, String identity) {
  public JsonObject toJson() {
    return new JsonObject().put("peer_id", peerId).put("identity", identity);
  }

  public static IceServersRequest fromJson(JsonObject json) {
    return new IceServersRequest(json.getString("peer_id"), json.getString("identity"));
  }
}

package dev.switchboard.turn;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Builds the RTCIceServer list a client is given: STUN URLs as they are, TURN URLs with a fresh credential. */
public final class IceServerList {
  private final List<String> stun;
  private final List<String> turn;

  public IceServerList(List<String> uris) {
    this.stun = uris.stream().filter(u -> u.startsWith("stun")).toList();
    this.turn = uris.stream().filter(u -> u.startsWith("turn")).toList();
  }

  public boolean hasTurn() {
    return !turn.isEmpty();
  }

  public List<String> turnUris() {
    return turn;
  }

  public JsonArray build(TurnCredential credential) {
    JsonArray servers = new JsonArray();
    if (!stun.isEmpty()) {
      servers.add(new JsonObject().put("urls", new JsonArray(stun)));
    }
    if (!turn.isEmpty()) {
      servers.add(new JsonObject().put("urls", new JsonArray(turn)).put("username", credential.username())
          .put("credential", credential.password()));
    }
    return servers;
  }
}

package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/**
 * Gateway → the media node of a room ({@link Addresses#mediaNode}): one step of a participant's
 * negotiation with the node, or its departure.
 *
 * @param nodeId  the gateway node holding the participant's socket (pushes go to the peer's own address)
 * @param sdp     the client's offer or answer ({@link Op#OFFER}, {@link Op#ANSWER}); null otherwise
 * @param publish the participant's grant lets it send media; the node accepts no media from it otherwise
 */
public record MediaRequest(String room, String peerId, String nodeId, Op op, String sdp, boolean publish) {
  public enum Op { OFFER, ANSWER, CANDIDATE, LEAVE }

  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("peer_id", peerId).put("node_id", nodeId).put("op", op.name())
        .put("sdp", sdp).put("publish", publish);
  }

  public static MediaRequest fromJson(JsonObject json) {
    return new MediaRequest(json.getString("room"), json.getString("peer_id"), json.getString("node_id"),
        Op.valueOf(json.getString("op")), json.getString("sdp"), json.getBoolean("publish", false));
  }
}

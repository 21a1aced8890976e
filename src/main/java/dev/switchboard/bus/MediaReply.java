package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/** The media node's answer to a {@link MediaRequest}: the node's SDP answer to an offer, null otherwise. */
public record MediaReply(String sdp) {
  public JsonObject toJson() {
    return new JsonObject().put("sdp", sdp);
  }

  public static MediaReply fromJson(JsonObject json) {
    return new MediaReply(json == null ? null : json.getString("sdp"));
  }
}

package dev.switchboard.bus;

import io.vertx.core.json.JsonObject;

/**
 * The media node → a participant's own address (header {@link Addresses#PEER_OP} = {@link Addresses#PEER_MEDIA}):
 * an event for its {@code room:<room>} topic ({@code media:offer}, {@code track:published}, ...). The reply
 * is empty once the frame was written to the participant's socket, a refusal otherwise.
 */
public record MediaPush(String room, String event, JsonObject payload) {
  public JsonObject toJson() {
    return new JsonObject().put("room", room).put("event", event).put("payload", payload);
  }

  public static MediaPush fromJson(JsonObject json) {
    return new MediaPush(json.getString("room"), json.getString("event"), json.getJsonObject("payload"));
  }
}

package dev.switchboard.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** TURN credentials → caller: RTCIceServer list plus the credential in the TURN REST API's own shape. */
public record IceServersReply(JsonArray iceServers, String username, String password, long ttlSeconds,
                              List<String> turnUris) {
  public JsonObject toJson() {
    return new JsonObject().put("ice_servers", iceServers).put("username", username).put("password", password)
        .put("ttl", ttlSeconds).put("uris", new JsonArray(List.copyOf(turnUris)));
  }

  public static IceServersReply fromJson(JsonObject json) {
    return new IceServersReply(json.getJsonArray("ice_servers"), json.getString("username"),
        json.getString("password"), json.getLong("ttl"),
        json.getJsonArray("uris").stream().map(String::valueOf).toList());
  }

  /** The TURN REST API response: {@code {username, password, ttl, uris}}. */
  public JsonObject restApiJson() {
    return new JsonObject().put("username", username).put("password", password).put("ttl", ttlSeconds)
        .put("uris", new JsonArray(List.copyOf(turnUris)));
  }
}

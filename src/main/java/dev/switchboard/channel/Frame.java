package dev.switchboard.channel;

import io.vertx.core.json.JsonObject;

/** One Phoenix V2 message: {@code [join_ref, ref, topic, event, payload]}. */
public record Frame(String joinRef, String ref, String topic, String event, JsonObject payload) {
}

package dev.switchboard.channel;

import io.vertx.core.json.JsonObject;

/** What a channel instance may do towards its own client. */
public interface ChannelContext {
  String topic();

  /** Pushes an event on this channel: {@code [join_ref, null, topic, event, payload]}. */
  void push(String event, JsonObject payload);
}

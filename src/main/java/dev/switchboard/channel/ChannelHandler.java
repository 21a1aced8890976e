package dev.switchboard.channel;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * One joined topic on one socket: the application side of a channel.
 *
 * <p>A failed future carrying a {@link ChannelError} is a refusal (an error reply); any other failure
 * or exception is a crash of this channel ({@code phx_error}), never of the socket.
 */
public interface ChannelHandler {

  /** Answers {@code phx_join}; the result is the join reply's response. */
  Future<JsonObject> join(JsonObject params);

  /** Runs right after the ok join reply went out, for pushes that must follow it (Phoenix's {@code :after_join}). */
  default void afterJoin() {
  }

  /** Answers a client push on the joined topic; the result is the reply's response. */
  Future<JsonObject> handleIn(String event, JsonObject payload);

  /** Runs exactly once for every channel whose join succeeded, whatever ends it. */
  Future<Void> terminate(ExitReason reason);
}

package dev.switchboard.gateway;

import dev.switchboard.channel.ChannelError;
import dev.switchboard.channel.ChannelHandler;
import dev.switchboard.channel.ExitReason;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** {@code peer:<id>}: a socket's private topic for targeted signals; only its owner may join it. */
final class PeerChannel implements ChannelHandler {
  static final String PREFIX = "peer:";

  private final boolean own;

  PeerChannel(String topic, String peerId) {
    this.own = topic.equals(topic(peerId));
  }

  static String topic(String peerId) {
    return PREFIX + peerId;
  }

  @Override
  public Future<JsonObject> join(JsonObject params) {
    return own ? Future.succeededFuture(new JsonObject()) : Future.failedFuture(new ChannelError("unauthorized"));
  }

  @Override
  public Future<JsonObject> handleIn(String event, JsonObject payload) {
    return Future.failedFuture(new ChannelError("unknown_event"));
  }

  @Override
  public Future<Void> terminate(ExitReason reason) {
    return Future.succeededFuture();
  }
}

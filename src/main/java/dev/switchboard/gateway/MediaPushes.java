package dev.switchboard.gateway;

import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.MediaPush;
import dev.switchboard.channel.ChannelError;
import dev.switchboard.channel.ChannelSocket;
import io.vertx.core.eventbus.Message;

/** The media node's events for a peer: written to its room topic and confirmed, so the node knows they arrived. */
final class MediaPushes {
  private MediaPushes() {
  }

  static void deliver(ChannelSocket socket, Message<Object> message, MediaPush push) {
    String topic = RoomChannel.topic(push.room());
    if (!socket.hasTopic(topic)) {
      message.fail(BusFailure.REFUSED, socket.isClosed() ? ChannelError.PEER_UNREACHABLE : ChannelError.UNKNOWN_PEER);
      return;
    }
    socket.deliver(topic, push.event(), push.payload()).onComplete(done -> {
      if (done.succeeded()) {
        message.reply(null);
      } else {
        message.fail(BusFailure.REFUSED, done.cause() instanceof ChannelError error ? error.reason()
            : ChannelError.PEER_UNREACHABLE);
      }
    });
  }
}

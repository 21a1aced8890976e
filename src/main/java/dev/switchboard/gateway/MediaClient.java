package dev.switchboard.gateway;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.MediaReply;
import dev.switchboard.bus.MediaRequest;
import dev.switchboard.channel.ChannelError;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

/**
 * Typed calls to the media node. Failures come back as a {@link ChannelError} with the node's own reason, or
 * {@code media_unavailable} when no node answered.
 */
final class MediaClient {
  private final EventBus bus;
  private final DeliveryOptions options;

  MediaClient(EventBus bus, long timeoutMillis) {
    this.bus = bus;
    this.options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMillis);
  }

  Future<MediaReply> request(MediaRequest request) {
    return bus.<JsonObject>request(Addresses.MEDIA_NEGOTIATE, request.toJson(), options)
        .map(Message::body)
        .map(MediaReply::fromJson)
        .recover(failure -> Future.failedFuture(new ChannelError(BusFailure.mediaReasonOf(failure))));
  }

  /** A departure: nothing waits for it, the node drops the participant's media whether or not it answers. */
  void leave(String room, String peerId, String nodeId) {
    bus.send(Addresses.MEDIA_NEGOTIATE, new MediaRequest(room, peerId, nodeId, MediaRequest.Op.LEAVE, null, false)
        .toJson(), options);
  }
}

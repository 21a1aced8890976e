package dev.switchboard.gateway;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.MediaReply;
import dev.switchboard.bus.MediaRequest;
import dev.switchboard.channel.ChannelError;
import dev.switchboard.placement.MediaPlacement;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed calls to the media node that owns a room (on this cluster node or another). Failures come back as a
 * {@link ChannelError} with the node's own reason, or {@code media_unavailable} when no node answered. It also
 * knows which room channels negotiated with which node, to tell them when that node is lost. One per gateway
 * instance, used on its event loop.
 */
final class MediaClient {
  /** A media request's answer and the node that gave it. */
  record Answered(String node, MediaReply reply) {
  }

  private final EventBus bus;
  private final DeliveryOptions options;
  private final MediaPlacement placement;
  private final Map<String, Set<RoomChannel>> channelsByNode = new HashMap<>();

  MediaClient(EventBus bus, long timeoutMillis, MediaPlacement placement) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMillis);
    this.placement = placement;
  }

  /**
   * @param sessionNode the node the peer's current media session is on (null: none). An answer or candidate belongs
   *                    to that session and goes there; an offer goes to the room's owner, which may be another node
   *                    after a take-over (a first offer there).
   */
  Future<Answered> request(MediaRequest request, String sessionNode) {
    boolean offer = request.op() == MediaRequest.Op.OFFER;
    Future<String> target = !offer && sessionNode != null ? Future.succeededFuture(sessionNode)
        : placement.ownerFor(request.room());
    return target
        .compose(node -> bus.<JsonObject>request(Addresses.mediaNode(node), request.toJson(), options)
            .map(Message::body)
            .map(body -> new Answered(node, MediaReply.fromJson(body)))
            .onFailure(failure -> {
              if (offer && !node.equals(sessionNode) && BusFailure.isTimeout(failure)) {
                // a first offer the node may still take after the client was told media_unavailable: nobody would
                // ever end that participant, so it is ended now (a leave of an unknown peer changes nothing)
                leave(node, request.room(), request.peerId(), request.nodeId());
              }
            }))
        .recover(failure -> Future.failedFuture(new ChannelError(BusFailure.mediaReasonOf(failure))));
  }

  /** A departure: nothing waits for it, the node drops the participant's media whether or not it answers. */
  void leave(String node, String room, String peerId, String nodeId) {
    bus.send(Addresses.mediaNode(node), new MediaRequest(room, peerId, nodeId, MediaRequest.Op.LEAVE, null, false)
        .toJson(), options);
  }

  void attach(String node, RoomChannel channel) {
    channelsByNode.computeIfAbsent(node, n -> new LinkedHashSet<>()).add(channel);
  }

  void detach(String node, RoomChannel channel) {
    Set<RoomChannel> channels = channelsByNode.get(node);
    if (channels != null && channels.remove(channel) && channels.isEmpty()) {
      channelsByNode.remove(node);
    }
  }

  /** The node left the cluster: each channel whose media it served starts over elsewhere. */
  void nodeLost(String node) {
    Set<RoomChannel> channels = channelsByNode.remove(node);
    if (channels != null) {
      List.copyOf(channels).forEach(channel -> channel.mediaNodeLost(node));
    }
  }
}

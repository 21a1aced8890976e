package dev.switchboard.gateway;

import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.SignalRequest;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.ChannelError;
import dev.switchboard.channel.ChannelHandler;
import dev.switchboard.channel.ChannelSocket;
import dev.switchboard.channel.ExitReason;
import dev.switchboard.room.RoomIds;
import dev.switchboard.room.RoomRefusal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code room:<id>}: membership through the registry, and signals to the other members. */
final class RoomChannel implements ChannelHandler {
  static final String PREFIX = "room:";
  private static final String SIGNAL_PREFIX = "signal:";
  private static final Logger LOG = Logger.getLogger(RoomChannel.class.getName());

  private final String room;
  private final String peerId;
  private final ChannelSocket socket;
  private final ChannelContext context;
  private final Signaling signaling;
  private List<String> peersAtJoin = List.of();

  RoomChannel(String room, String peerId, ChannelSocket socket, ChannelContext context, Signaling signaling) {
    this.room = room;
    this.peerId = peerId;
    this.socket = socket;
    this.context = context;
    this.signaling = signaling;
  }

  static String topic(String room) {
    return PREFIX + room;
  }

  @Override
  public Future<JsonObject> join(JsonObject params) {
    if (!RoomIds.isValid(room)) {
      return Future.failedFuture(new ChannelError("invalid_room"));
    }
    return signaling.broadcasts().subscribe(room, peerId, socket)
        .compose(v -> signaling.registry().join(new JoinRequest(room, peerId, signaling.nodeId())))
        .compose(reply -> signaling.iceServers().forPeer(peerId).map(iceServers -> {
          peersAtJoin = reply.peers();
          signaling.metrics().join("ok");
          signaling.metrics().peerJoined();
          return new JsonObject().put("peer_id", peerId).put("peers", new JsonArray(peersAtJoin))
              .put("ice_servers", iceServers);
        }))
        .recover(failure -> {
          signaling.broadcasts().unsubscribe(room, peerId, socket);
          ChannelError error = asChannelError(failure);
          if (BusFailure.REGISTRY_UNAVAILABLE.equals(error.reason())) {
            undoJoin();
          }
          signaling.metrics().join(error.reason());
          return Future.failedFuture(error);
        });
  }

  /**
   * The registry may have admitted the peer although its answer never came (a timeout, a stalled store):
   * an idempotent leave, queued behind that join in the registry, makes sure no ghost member stays behind.
   */
  private void undoJoin() {
    signaling.registry().leave(new LeaveRequest(room, peerId))
        .onFailure(e -> LOG.log(Level.WARNING, "undoing the failed join of " + peerId + " to " + room
            + " not recorded: " + e.getMessage()));
  }

  @Override
  public void afterJoin() {
    context.push("room:peers", new JsonObject().put("peers", new JsonArray(peersAtJoin)));
  }

  @Override
  public Future<JsonObject> handleIn(String event, JsonObject payload) {
    if (!event.startsWith(SIGNAL_PREFIX) || event.length() == SIGNAL_PREFIX.length()) {
      return Future.failedFuture(new ChannelError("unknown_event"));
    }
    if (!(payload.getValue("to") instanceof String to) || to.isEmpty()) {
      signaling.metrics().signalRefused("invalid_signal");
      return Future.failedFuture(new ChannelError("invalid_signal"));
    }
    String kind = event.substring(SIGNAL_PREFIX.length());
    long arrival = System.nanoTime();
    return signaling.registry().signal(new SignalRequest(room, peerId, to, kind, payload.getValue("body")))
        .<JsonObject>map(v -> {
          signaling.metrics().signalRelayed(kind, System.nanoTime() - arrival);
          return null;
        })
        .recover(failure -> {
          ChannelError error = asChannelError(failure);
          signaling.metrics().signalRefused(error.reason());
          return Future.failedFuture(error);
        });
  }

  @Override
  public Future<Void> terminate(ExitReason reason) {
    signaling.metrics().peerLeft();
    signaling.broadcasts().unsubscribe(room, peerId, socket);
    return signaling.registry().leave(new LeaveRequest(room, peerId))
        .onFailure(e -> LOG.log(Level.WARNING, "leave of " + peerId + " from " + room + " (" + reason
            + ") not recorded: " + e.getMessage()))
        .mapEmpty();
  }

  private static ChannelError asChannelError(Throwable failure) {
    if (failure instanceof ChannelError error) {
      return error;
    }
    return new ChannelError(failure instanceof RoomRefusal refusal ? refusal.reason() : "registry_unavailable");
  }
}

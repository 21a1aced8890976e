package dev.switchboard.room;

import dev.switchboard.bus.JoinReply;
import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalRequest;
import io.vertx.core.Future;

import java.util.List;

/**
 * The rules of rooms, independent of transport: admission, the one {@code peer:left} per departure,
 * and the check that a signal's sender and target share the room before anything is sent.
 */
public final class RoomRegistry {
  public static final String ROOM_FULL = "room_full";
  public static final String INVALID_ROOM = "invalid_room";
  public static final String UNKNOWN_PEER = "unknown_peer";

  private final RoomStore store;
  private final RoomEventSink sink;
  private final int maxPeers;

  public RoomRegistry(RoomStore store, RoomEventSink sink, int maxPeers) {
    this.store = store;
    this.sink = sink;
    this.maxPeers = maxPeers;
  }

  public Future<JoinReply> join(JoinRequest request) {
    if (!RoomIds.isValid(request.room())) {
      return Future.failedFuture(new RoomRefusal(INVALID_ROOM));
    }
    return store.join(request.room(), new Member(request.peerId(), request.nodeId()), maxPeers).map(result -> {
      if (!result.admitted()) {
        throw new RoomRefusal(ROOM_FULL);
      }
      if (!result.alreadyMember()) {
        sink.publish(new RoomEvent(request.room(), RoomEvent.Kind.JOINED, request.peerId()));
      }
      return new JoinReply(result.present().stream().map(Member::peerId).toList());
    });
  }

  /** Idempotent: only the call that actually removed the member announces {@code peer:left}. */
  public Future<Boolean> leave(LeaveRequest request) {
    return store.leave(request.room(), request.peerId()).map(result -> {
      // an emptied room has nobody left to tell
      if (result.removed() && !result.roomEmptied()) {
        sink.publish(new RoomEvent(request.room(), RoomEvent.Kind.LEFT, request.peerId()));
      }
      return result.removed();
    });
  }

  public Future<Void> signal(SignalRequest request) {
    return store.areMembers(request.room(), request.from(), request.to()).map(shared -> {
      if (!shared) {
        throw new RoomRefusal(UNKNOWN_PEER);
      }
      sink.deliver(request.to(), request.delivery());
      return null;
    });
  }

  public Future<List<Member>> members(String room) {
    return store.members(room);
  }

  /** Removes a dead node's peers and announces each departure once. */
  public Future<Integer> reapNode(String nodeId) {
    return store.removeNode(nodeId).map(removed -> {
      removed.forEach(m -> sink.publish(new RoomEvent(m.room(), RoomEvent.Kind.LEFT, m.peerId())));
      return removed.size();
    });
  }
}

package dev.switchboard.support;

import dev.switchboard.room.Member;
import dev.switchboard.room.Membership;
import dev.switchboard.room.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.List;

/** A store whose joins answer late (as a stalled Redis would), otherwise the given one. */
public final class DelayedRoomStore implements RoomStore {
  private final RoomStore store;
  private final Vertx vertx;
  private final long joinDelayMillis;

  public DelayedRoomStore(RoomStore store, Vertx vertx, long joinDelayMillis) {
    this.store = store;
    this.vertx = vertx;
    this.joinDelayMillis = joinDelayMillis;
  }

  @Override
  public Future<JoinResult> join(String room, Member member, int maxPeers) {
    Promise<JoinResult> later = Promise.promise();
    vertx.setTimer(joinDelayMillis, t -> store.join(room, member, maxPeers).onComplete(later));
    return later.future();
  }

  @Override
  public Future<LeaveResult> leave(String room, String peerId) {
    return store.leave(room, peerId);
  }

  @Override
  public Future<Boolean> areMembers(String room, String peerA, String peerB) {
    return store.areMembers(room, peerA, peerB);
  }

  @Override
  public Future<List<Member>> members(String room) {
    return store.members(room);
  }

  @Override
  public int roomCount() {
    return store.roomCount();
  }

  @Override
  public Future<List<Membership>> removeNode(String nodeId) {
    return store.removeNode(nodeId);
  }

  @Override
  public Future<List<Membership>> removeSilentNode(String nodeId) {
    return store.removeSilentNode(nodeId);
  }
}

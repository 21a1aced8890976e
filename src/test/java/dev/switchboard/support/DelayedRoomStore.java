package dev.switchboard.support;

import dev.switchboard.room.Member;
import dev.switchboard.room.RoomStore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/** A store whose joins answer late (as a stalled Redis would), otherwise the given one. */
public final class DelayedRoomStore extends ForwardingRoomStore {
  private final Vertx vertx;
  private final long joinDelayMillis;

  public DelayedRoomStore(RoomStore store, Vertx vertx, long joinDelayMillis) {
    super(store);
    this.vertx = vertx;
    this.joinDelayMillis = joinDelayMillis;
  }

  @Override
  public Future<JoinResult> join(String room, Member member, int maxPeers) {
    Promise<JoinResult> later = Promise.promise();
    vertx.setTimer(joinDelayMillis, t -> store.join(room, member, maxPeers).onComplete(later));
    return later.future();
  }
}

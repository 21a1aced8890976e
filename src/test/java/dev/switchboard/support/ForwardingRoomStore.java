package dev.switchboard.support;

import dev.switchboard.room.Member;
import dev.switchboard.room.Membership;
import dev.switchboard.room.RoomStore;
import io.vertx.core.Future;

import java.util.List;

/** A store that does what the one it wraps does; specs override only the calls whose timing they change. */
public abstract class ForwardingRoomStore implements RoomStore {
  protected final RoomStore store;

  protected ForwardingRoomStore(RoomStore store) {
    this.store = store;
  }

  @Override
  public Future<JoinResult> join(String room, Member member, int maxPeers) {
    return store.join(room, member, maxPeers);
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
  public Future<Boolean> setConnected(String room, String peerId, boolean connected) {
    return store.setConnected(room, peerId, connected);
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

package dev.switchboard.room;

import io.vertx.core.Future;

import java.util.List;

/**
 * Who is in which room. Every operation is atomic on its own, so that an implementation shared by
 * several nodes (Redis) gives the same answers as the in-memory one. Rooms exist only while they
 * have members.
 */
public interface RoomStore {

  /** Adds the member unless the room holds {@code maxPeers} already; returns who was there before. */
  Future<JoinResult> join(String room, Member member, int maxPeers);

  /** Removes the member; {@link LeaveResult#removed()} is false when it was not there (idempotent). */
  Future<LeaveResult> leave(String room, String peerId);

  /** True when both peers are members of the room right now. */
  Future<Boolean> areMembers(String room, String peerA, String peerB);

  Future<List<Member>> members(String room);

  /** Rooms with members now, as far as this node can tell cheaply (for the rooms gauge). */
  int roomCount();

  /** Removes every member held by the node, e.g. after it died; returns what was removed. */
  Future<List<Membership>> removeNode(String nodeId);

  /**
   * Like {@link #removeNode} but only if the node is still silent (no heartbeat within the TTL) when the
   * store applies it, atomically: a node that heartbeated since it was reported silent keeps its members.
   * A store without heartbeats (in memory, one node) has no silent nodes and removes nothing.
   */
  Future<List<Membership>> removeSilentNode(String nodeId);

  record JoinResult(boolean admitted, boolean alreadyMember, List<Member> present) {
    public static JoinResult full() {
      return new JoinResult(false, false, List.of());
    }
  }

  record LeaveResult(boolean removed, boolean roomEmptied) {
  }
}

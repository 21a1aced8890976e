package dev.switchboard.room;

import io.vertx.core.Future;

import java.util.List;

/**
 * Who is in which room. Every operation is atomic on its own, so that an implementation shared by
 * several nodes (Redis) gives the same answers as the in-memory one. Rooms exist only while they
 * have members.
 */
public interface RoomStore {

  /**
   * Adds the member unless the room holds {@code maxPeers} already; returns who was there before.
   * <ul>
   *   <li>A peer that is a member already is not added again ({@link JoinResult#alreadyMember()}): its node,
   *       profile and connected state are overwritten with the given ones (a session resumed on another node
   *       moves its membership there), and {@link JoinResult#wasDisconnected()} says whether it was held as
   *       disconnected.</li>
   *   <li>A member with an {@link dev.switchboard.bus.PeerProfile#exclusiveIdentity() exclusive identity}
   *       that another member of the room has replaces that member, in the same atomic step and before the
   *       capacity check: {@link JoinResult#replaced()} is the removed member, no longer in the room.</li>
   * </ul>
   */
  Future<JoinResult> join(String room, Member member, int maxPeers);

  /**
   * Marks a member connected or disconnected (held for a resume); true only when it is a member and its state
   * changed, so each change is announced once.
   */
  Future<Boolean> setConnected(String room, String peerId, boolean connected);

  /**
   * Removes the member (and its profile, state and identity entry); {@link LeaveResult#removed()} is false
   * when it was not there (idempotent).
   */
  Future<LeaveResult> leave(String room, String peerId);

  /** True when both peers are members of the room right now. */
  Future<Boolean> areMembers(String room, String peerA, String peerB);

  /** Members in join order, with their profiles and connected state. */
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

  /**
   * @param present the other members, in join order (after a replacement)
   * @param replaced the member of the same exclusive identity that this join removed, or null
   */
  record JoinResult(boolean admitted, boolean alreadyMember, boolean wasDisconnected, List<Member> present,
                    Member replaced) {
    public static JoinResult full() {
      return new JoinResult(false, false, false, List.of(), null);
    }
  }

  record LeaveResult(boolean removed, boolean roomEmptied) {
  }
}

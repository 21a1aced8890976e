package dev.switchboard.room;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The single-node registry. Owned by one verticle instance (one event loop), so plain maps are enough;
 * members keep their join order, which is the order clients see in {@code peers}.
 */
public final class InMemoryRoomStore implements RoomStore {
  private final Map<String, LinkedHashMap<String, Member>> rooms = new HashMap<>();

  @Override
  public Future<JoinResult> join(String room, Member member, int maxPeers) {
    LinkedHashMap<String, Member> members = rooms.get(room);
    Member existing = members == null ? null : members.get(member.peerId());
    if (existing != null) {
      // re-put keeps the join order of a LinkedHashMap
      members.put(member.peerId(), member);
      return Future.succeededFuture(new JoinResult(true, true, !existing.connected(), othersThan(members,
          member.peerId()), null));
    }
    Member replaced = members == null ? null : sameIdentity(members, member);
    if (replaced != null) {
      members.remove(replaced.peerId());
    }
    if (members != null && members.size() >= maxPeers) {
      return Future.succeededFuture(JoinResult.full());
    }
    if (members == null) {
      members = new LinkedHashMap<>(8);
      rooms.put(room, members);
    }
    List<Member> present = List.copyOf(members.values());
    members.put(member.peerId(), member);
    return Future.succeededFuture(new JoinResult(true, false, false, present, replaced));
  }

  private static Member sameIdentity(LinkedHashMap<String, Member> members, Member joining) {
    String identity = joining.profile().exclusiveIdentity();
    if (identity == null) {
      return null;
    }
    for (Member member : members.values()) {
      if (identity.equals(member.profile().exclusiveIdentity())) {
        return member;
      }
    }
    return null;
  }

  private static List<Member> othersThan(LinkedHashMap<String, Member> members, String peerId) {
    List<Member> others = new ArrayList<>(members.values());
    others.removeIf(m -> m.peerId().equals(peerId));
    return others;
  }

  @Override
  public Future<Boolean> setConnected(String room, String peerId, boolean connected) {
    LinkedHashMap<String, Member> members = rooms.get(room);
    Member member = members == null ? null : members.get(peerId);
    if (member == null || member.connected() == connected) {
      return Future.succeededFuture(false);
    }
    members.put(peerId, new Member(peerId, member.nodeId(), member.profile(), connected));
    return Future.succeededFuture(true);
  }

  @Override
  public Future<LeaveResult> leave(String room, String peerId) {
    LinkedHashMap<String, Member> members = rooms.get(room);
    if (members == null || members.remove(peerId) == null) {
      return Future.succeededFuture(new LeaveResult(false, false));
    }
    boolean emptied = members.isEmpty();
    if (emptied) {
      rooms.remove(room);
    }
    return Future.succeededFuture(new LeaveResult(true, emptied));
  }

  @Override
  public Future<Boolean> areMembers(String room, String peerA, String peerB) {
    LinkedHashMap<String, Member> members = rooms.get(room);
    return Future.succeededFuture(members != null && members.containsKey(peerA) && members.containsKey(peerB));
  }

  @Override
  public Future<List<Member>> members(String room) {
    LinkedHashMap<String, Member> members = rooms.get(room);
    return Future.succeededFuture(members == null ? List.of() : List.copyOf(members.values()));
  }

  @Override
  public Future<List<Membership>> removeNode(String nodeId) {
    List<Membership> removed = new ArrayList<>();
    rooms.entrySet().removeIf(room -> {
      room.getValue().values().removeIf(member -> {
        if (member.nodeId().equals(nodeId)) {
          removed.add(new Membership(room.getKey(), member.peerId()));
          return true;
        }
        return false;
      });
      return room.getValue().isEmpty();
    });
    return Future.succeededFuture(removed);
  }

  /** One node, no heartbeats: nobody is ever silent. */
  @Override
  public Future<List<Membership>> removeSilentNode(String nodeId) {
    return Future.succeededFuture(List.of());
  }

  @Override
  public int roomCount() {
    return rooms.size();
  }
}

package dev.switchboard.room;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Room membership in Redis, shared by every node of a cluster. Each operation is one Lua script, so it
 * is atomic however many nodes race. Key layout (prefix {@code sb:}):
 * <ul>
 *   <li>{@code sb:room:<room>:members} — ZSET peer → join sequence (the order clients see in {@code peers})</li>
 *   <li>{@code sb:room:<room>:nodes} — HASH peer → node id</li>
 *   <li>{@code sb:node:<node>:peers} — SET of {@code <room>|<peer>} held by that node (for reaping)</li>
 *   <li>{@code sb:rooms} — SET of rooms with members; {@code sb:seq} — join sequence counter</li>
 * </ul>
 * A room's keys are deleted with its last member: nothing stays behind for empty rooms.
 */
public final class RedisRoomStore implements RoomStore {
  private static final String JOIN = """
      local members, nodes, nodePeers, rooms, seq = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
      local room, peer, node, max = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
      local present = redis.call('ZRANGE', members, 0, -1)
      local already = redis.call('ZSCORE', members, peer)
      if not already and #present >= max then return {0, 0, {}, {}} end
      local others, others_nodes = {}, {}
      for _, p in ipairs(present) do
        if p ~= peer then
          table.insert(others, p)
          table.insert(others_nodes, redis.call('HGET', nodes, p) or '')
        end
      end
      if already then return {1, 1, others, others_nodes} end
      redis.call('ZADD', members, redis.call('INCR', seq), peer)
      redis.call('HSET', nodes, peer, node)
      redis.call('SADD', nodePeers, room .. '|' .. peer)
      redis.call('SADD', rooms, room)
      return {1, 0, others, others_nodes}
      """;
  private static final String LEAVE = """
      local members, nodes, rooms = KEYS[1], KEYS[2], KEYS[3]
      local room, peer = ARGV[1], ARGV[2]
      if redis.call('ZREM', members, peer) == 0 then return {0, 0} end
      local node = redis.call('HGET', nodes, peer)
      redis.call('HDEL', nodes, peer)
      if node then redis.call('SREM', 'sb:node:' .. node .. ':peers', room .. '|' .. peer) end
      if redis.call('ZCARD', members) == 0 then
        redis.call('DEL', members, nodes)
        redis.call('SREM', rooms, room)
        return {1, 1}
      end
      return {1, 0}
      """;
  private static final String ARE_MEMBERS = """
      if redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 1 end
      return 0
      """;
  private static final String MEMBERS = """
      local out = {}
      for _, p in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
        table.insert(out, p)
        table.insert(out, redis.call('HGET', KEYS[2], p) or '')
      end
      return out
      """;
  private static final String REMOVE_NODE = """
      local nodePeers, rooms, node = KEYS[1], KEYS[2], ARGV[1]
      local removed = {}
      for _, entry in ipairs(redis.call('SMEMBERS', nodePeers)) do
        local bar = string.find(entry, '|', 1, true)
        local room, peer = string.sub(entry, 1, bar - 1), string.sub(entry, bar + 1)
        local members, nodes = 'sb:room:' .. room .. ':members', 'sb:room:' .. room .. ':nodes'
        if redis.call('HGET', nodes, peer) == node and redis.call('ZREM', members, peer) == 1 then
          redis.call('HDEL', nodes, peer)
          table.insert(removed, room)
          table.insert(removed, peer)
          if redis.call('ZCARD', members) == 0 then
            redis.call('DEL', members, nodes)
            redis.call('SREM', rooms, room)
          end
        end
      end
      redis.call('DEL', nodePeers)
      return removed
      """;
  private static final String SILENT_NODES = """
      local silent = {}
      local cursor = '0'
      repeat
        local page = redis.call('SCAN', cursor, 'MATCH', 'sb:node:*:peers', 'COUNT', 1000)
        cursor = page[1]
        for _, key in ipairs(page[2]) do
          local node = string.sub(key, 9, -7)
          if redis.call('EXISTS', 'sb:node:' .. node .. ':alive') == 0 then table.insert(silent, node) end
        end
      until cursor == '0'
      return silent
      """;
  private static final String ROOMS = "sb:rooms";
  private static final String SEQUENCE = "sb:seq";

  private final RedisAPI redis;
  private final AtomicInteger lastRoomCount = new AtomicInteger();

  public RedisRoomStore(RedisAPI redis) {
    this.redis = redis;
  }

  private static String membersKey(String room) {
    return "sb:room:" + room + ":members";
  }

  private static String nodesKey(String room) {
    return "sb:room:" + room + ":nodes";
  }

  private static String nodePeersKey(String node) {
    return "sb:node:" + node + ":peers";
  }

  private Future<Response> eval(String script, List<String> keys, String... args) {
    List<String> call = new ArrayList<>(List.of(script, String.valueOf(keys.size())));
    call.addAll(keys);
    call.addAll(List.of(args));
    return redis.eval(call);
  }

  @Override
  public Future<JoinResult> join(String room, Member member, int maxPeers) {
    return eval(JOIN, List.of(membersKey(room), nodesKey(room), nodePeersKey(member.nodeId()), ROOMS, SEQUENCE),
        room, member.peerId(), member.nodeId(), String.valueOf(maxPeers))
        .map(r -> {
          if (r.get(0).toInteger() == 0) {
            return JoinResult.full();
          }
          List<Member> present = new ArrayList<>();
          for (int i = 0; i < r.get(2).size(); i++) {
            present.add(new Member(r.get(2).get(i).toString(), r.get(3).get(i).toString()));
          }
          return new JoinResult(true, r.get(1).toInteger() == 1, present);
        })
        .compose(result -> refreshRoomCount().map(result));
  }

  @Override
  public Future<LeaveResult> leave(String room, String peerId) {
    return eval(LEAVE, List.of(membersKey(room), nodesKey(room), ROOMS), room, peerId)
        .map(r -> new LeaveResult(r.get(0).toInteger() == 1, r.get(1).toInteger() == 1))
        .compose(result -> refreshRoomCount().map(result));
  }

  @Override
  public Future<Boolean> areMembers(String room, String peerA, String peerB) {
    return eval(ARE_MEMBERS, List.of(membersKey(room)), peerA, peerB).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<List<Member>> members(String room) {
    return eval(MEMBERS, List.of(membersKey(room), nodesKey(room))).map(r -> {
      List<Member> out = new ArrayList<>();
      for (int i = 0; i + 1 < r.size(); i += 2) {
        out.add(new Member(r.get(i).toString(), r.get(i + 1).toString()));
      }
      return out;
    });
  }

  @Override
  public int roomCount() {
    return lastRoomCount.get();
  }

  @Override
  public Future<List<Membership>> removeNode(String nodeId) {
    return eval(REMOVE_NODE, List.of(nodePeersKey(nodeId), ROOMS), nodeId).map(r -> {
      List<Membership> removed = new ArrayList<>();
      for (int i = 0; i + 1 < r.size(); i += 2) {
        removed.add(new Membership(r.get(i).toString(), r.get(i + 1).toString()));
      }
      return removed;
    }).compose(result -> refreshRoomCount().map(result));
  }

  /** Marks this node alive for {@code ttlSeconds}: {@code sb:node:<node>:alive}. */
  public Future<Void> heartbeat(String nodeId, int ttlSeconds) {
    return redis.set(List.of("sb:node:" + nodeId + ":alive", "1", "EX", String.valueOf(ttlSeconds))).mapEmpty();
  }

  /** Nodes that still hold peers in Redis but whose heartbeat key has expired. */
  public Future<List<String>> silentNodes() {
    return eval(SILENT_NODES, List.of()).map(r -> {
      List<String> nodes = new ArrayList<>();
      r.forEach(node -> nodes.add(node.toString()));
      return nodes;
    });
  }

  private Future<Void> refreshRoomCount() {
    return redis.scard(ROOMS).map(r -> {
      lastRoomCount.set(r.toInteger());
      return null;
    });
  }
}

package dev.switchboard.room;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Room membership in Redis, shared by every node of a cluster. Each operation is one Lua script, so it
 * is atomic however many nodes race. Key layout (prefix {@code sb:}):
 * <ul>
 *   <li>{@code sb:room:<room>:members} — ZSET peer → join sequence (the order clients see in {@code peers})</li>
 *   <li>{@code sb:room:<room>:nodes} — HASH peer → node id</li>
 *   <li>{@code sb:node:<node>:peers} — SET of {@code <room>|<peer>} held by that node (for reaping)</li>
 *   <li>{@code sb:nodes} — ZSET node → its last heartbeat in milliseconds of Redis' own clock ({@code TIME}),
 *       so the nodes' clocks never matter; a node is live while that is younger than the heartbeat TTL.
 *       A join lists its node if it is missing, so every node holding peers is listed; a reaped node is
 *       removed.</li>
 *   <li>{@code sb:rooms} — SET of rooms with members; {@code sb:seq} — join sequence counter</li>
 * </ul>
 * A room's keys are deleted with its last member: nothing stays behind for empty rooms. Nothing scans
 * the keyspace: silent nodes are a range of {@code sb:nodes}.
 * <p>
 * Scripts are called with EVALSHA (their SHA1 is computed here); a server that does not know one (it
 * restarted, or its script cache was flushed) answers NOSCRIPT, and the script is loaded and the call
 * retried once. Every command fails after the command timeout, as an unreachable Redis does.
 */
public final class RedisRoomStore implements RoomStore {
  /** Redis' own clock in milliseconds: liveness never depends on the nodes' clocks. */
  private static final String NOW_MILLIS = """
      local function now_millis()
        local t = redis.call('TIME')
        return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      end
      """;
  static final String JOIN = NOW_MILLIS + """
      local members, nodes, nodePeers, rooms, seq, nodeList = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
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
      redis.call('ZADD', nodeList, 'NX', now_millis(), node)
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
  /** Removes every peer the node holds and delists it; each peer goes to exactly one of racing reapers. */
  private static final String REMOVE_PEERS = """
      local function remove_node(nodePeers, rooms, nodeList, node)
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
        redis.call('ZREM', nodeList, node)
        return removed
      end
      """;
  private static final String REMOVE_NODE = REMOVE_PEERS + """
      return remove_node(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
      """;
  /** Reaps only if the node is still silent now: a node that heartbeated since it was reported stays. */
  private static final String REMOVE_SILENT_NODE = NOW_MILLIS + REMOVE_PEERS + """
      local last = redis.call('ZSCORE', KEYS[3], ARGV[1])
      if last and tonumber(last) > now_millis() - tonumber(ARGV[2]) then return {} end
      return remove_node(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
      """;
  /** Returns 1 when the node was not listed (first heartbeat, reaped meanwhile, or Redis restarted empty). */
  private static final String HEARTBEAT = NOW_MILLIS + """
      return redis.call('ZADD', KEYS[1], now_millis(), ARGV[1])
      """;
  /** ARGV[1] = TTL in ms; ARGV[2] = 1 for live nodes (heartbeat within the TTL), 0 for silent ones. */
  private static final String NODES_BY_AGE = NOW_MILLIS + """
      local cutoff = now_millis() - tonumber(ARGV[1])
      if ARGV[2] == '1' then return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. cutoff, '+inf') end
      return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', cutoff)
      """;
  private static final String ROOMS = "sb:rooms";
  private static final String SEQUENCE = "sb:seq";
  private static final String NODES = "sb:nodes";
  private static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration DEFAULT_HEARTBEAT_TTL = Duration.ofSeconds(10);

  private final RedisAPI redis;
  private final long timeoutMillis;
  private final long heartbeatTtlMillis;
  private final AtomicInteger lastRoomCount = new AtomicInteger();

  public RedisRoomStore(RedisAPI redis) {
    this(redis, DEFAULT_COMMAND_TIMEOUT, DEFAULT_HEARTBEAT_TTL);
  }

  /**
   * @param commandTimeout every command fails after this long without an answer
   * @param heartbeatTtl a node whose last heartbeat is older than this is silent (no longer live)
   */
  public RedisRoomStore(RedisAPI redis, Duration commandTimeout, Duration heartbeatTtl) {
    this.redis = redis;
    this.timeoutMillis = commandTimeout.toMillis();
    this.heartbeatTtlMillis = heartbeatTtl.toMillis();
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

  static String sha1Hex(String script) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is part of every Java runtime", e);
    }
  }

  /** A script and its SHA1, computed once. */
  private record Script(String source, String sha1) {
    static Script of(String source) {
      return new Script(source, sha1Hex(source));
    }
  }

  private static final Script JOIN_SCRIPT = Script.of(JOIN);
  private static final Script LEAVE_SCRIPT = Script.of(LEAVE);
  private static final Script ARE_MEMBERS_SCRIPT = Script.of(ARE_MEMBERS);
  private static final Script MEMBERS_SCRIPT = Script.of(MEMBERS);
  private static final Script REMOVE_NODE_SCRIPT = Script.of(REMOVE_NODE);
  private static final Script REMOVE_SILENT_NODE_SCRIPT = Script.of(REMOVE_SILENT_NODE);
  private static final Script HEARTBEAT_SCRIPT = Script.of(HEARTBEAT);
  private static final Script NODES_BY_AGE_SCRIPT = Script.of(NODES_BY_AGE);

  /** EVALSHA; on NOSCRIPT the script is loaded and the call retried once. */
  private Future<Response> eval(Script script, List<String> keys, String... args) {
    List<String> call = new ArrayList<>(keys.size() + args.length + 2);
    call.add(script.sha1());
    call.add(String.valueOf(keys.size()));
    call.addAll(keys);
    call.addAll(List.of(args));
    return timed(redis.evalsha(call)).recover(failure -> {
      if (failure.getMessage() == null || !failure.getMessage().startsWith("NOSCRIPT")) {
        return Future.failedFuture(failure);
      }
      return timed(redis.script(List.of("LOAD", script.source()))).compose(loaded -> timed(redis.evalsha(call)));
    });
  }

  /** One command, failed after the timeout like an unreachable store (its late answer is dropped). */
  private <T> Future<T> timed(Future<T> command) {
    return command.timeout(timeoutMillis, TimeUnit.MILLISECONDS).recover(failure -> Future.failedFuture(
        failure instanceof TimeoutException ? new StoreTimeout(timeoutMillis) : failure));
  }

  /** A Redis command that got no answer within the command timeout. */
  static final class StoreTimeout extends RuntimeException {
    StoreTimeout(long millis) {
      super("redis command timed out after " + millis + " ms", null, false, false);
    }
  }

  @Override
  public Future<JoinResult> join(String room, Member member, int maxPeers) {
    return eval(JOIN_SCRIPT, List.of(membersKey(room), nodesKey(room), nodePeersKey(member.nodeId()), ROOMS, SEQUENCE,
        NODES), room, member.peerId(), member.nodeId(), String.valueOf(maxPeers))
        .map(r -> {
          if (r.get(0).toInteger() == 0) {
            return JoinResult.full();
          }
          List<Member> present = new ArrayList<>();
          for (int i = 0; i < r.get(2).size(); i++) {
            present.add(new Member(r.get(2).get(i).toString(), r.get(3).get(i).toString()));
          }
          return new JoinResult(true, r.get(1).toInteger() == 1, false, present, null);
        })
        .compose(result -> refreshRoomCount().map(result));
  }

  @Override
  public Future<Boolean> setConnected(String room, String peerId, boolean connected) {
    return Future.failedFuture(new UnsupportedOperationException("not yet in Redis"));
  }

  @Override
  public Future<LeaveResult> leave(String room, String peerId) {
    return eval(LEAVE_SCRIPT, List.of(membersKey(room), nodesKey(room), ROOMS), room, peerId)
        .map(r -> new LeaveResult(r.get(0).toInteger() == 1, r.get(1).toInteger() == 1))
        .compose(result -> refreshRoomCount().map(result));
  }

  @Override
  public Future<Boolean> areMembers(String room, String peerA, String peerB) {
    return eval(ARE_MEMBERS_SCRIPT, List.of(membersKey(room)), peerA, peerB).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<List<Member>> members(String room) {
    return eval(MEMBERS_SCRIPT, List.of(membersKey(room), nodesKey(room))).map(r -> {
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
    return eval(REMOVE_NODE_SCRIPT, List.of(nodePeersKey(nodeId), ROOMS, NODES), nodeId)
        .map(RedisRoomStore::memberships).compose(result -> refreshRoomCount().map(result));
  }

  @Override
  public Future<List<Membership>> removeSilentNode(String nodeId) {
    return eval(REMOVE_SILENT_NODE_SCRIPT, List.of(nodePeersKey(nodeId), ROOMS, NODES), nodeId,
        String.valueOf(heartbeatTtlMillis))
        .map(RedisRoomStore::memberships).compose(result -> refreshRoomCount().map(result));
  }

  private static List<Membership> memberships(Response r) {
    List<Membership> removed = new ArrayList<>();
    for (int i = 0; i + 1 < r.size(); i += 2) {
      removed.add(new Membership(r.get(i).toString(), r.get(i + 1).toString()));
    }
    return removed;
  }

  /**
   * Marks the node live now (its score in {@code sb:nodes} becomes Redis' time); true when it was not
   * listed before: its first heartbeat, or it had been reaped, or Redis restarted empty.
   */
  public Future<Boolean> heartbeat(String nodeId) {
    return eval(HEARTBEAT_SCRIPT, List.of(NODES), nodeId).map(r -> r.toInteger() == 1);
  }

  /** Nodes whose last heartbeat is older than the TTL (they may still hold peers). */
  public Future<List<String>> silentNodes() {
    return nodesByAge(false);
  }

  /** Nodes that heartbeated within the TTL: the membership a complete cluster has. */
  public Future<List<String>> liveNodes() {
    return nodesByAge(true);
  }

  private Future<List<String>> nodesByAge(boolean live) {
    return eval(NODES_BY_AGE_SCRIPT, List.of(NODES), String.valueOf(heartbeatTtlMillis), live ? "1" : "0").map(r -> {
      List<String> nodes = new ArrayList<>();
      r.forEach(node -> nodes.add(node.toString()));
      return nodes;
    });
  }

  private Future<Void> refreshRoomCount() {
    return timed(redis.scard(ROOMS)).map(r -> {
      lastRoomCount.set(r.toInteger());
      return null;
    });
  }
}

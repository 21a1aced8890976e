package dev.switchboard.room;

import dev.switchboard.bus.PeerProfile;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
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
 *   <li>{@code sb:room:<room>:profiles} — HASH peer → its {@link PeerProfile} as JSON (a member without an
 *       entry, e.g. one joined before profiles were kept, reads as {@link PeerProfile#ANONYMOUS})</li>
 *   <li>{@code sb:room:<room>:away} — SET of members held disconnected (for a resume); the others are
 *       connected</li>
 *   <li>{@code sb:room:<room>:ids} — HASH {@link PeerProfile#exclusiveIdentity() exclusive identity} → the
 *       member that has it: at most one per identity, so a join of the same identity finds whom it replaces</li>
 *   <li>{@code sb:node:<node>:peers} — SET of {@code <room>|<peer>} held by that node (for reaping); a re-join
 *       on another node moves the entry to that node's set</li>
 *   <li>{@code sb:nodes} — ZSET node → its last heartbeat in milliseconds of Redis' own clock ({@code TIME}),
 *       so the nodes' clocks never matter; a node is live while that is younger than the heartbeat TTL.
 *       A join lists its node if it is missing, so every node holding peers is listed; a reaped node is
 *       removed.</li>
 *   <li>{@code sb:rooms} — SET of rooms with members; {@code sb:seq} — join sequence counter</li>
 * </ul>
 * A member is removed (leave, replacement, reaping) with everything kept about it: node, profile, state,
 * the identity entry pointing at it and its node's reaping entry. A room's keys (and its media node record,
 * {@code placement.RedisPlacementStore}) are deleted with its last member: nothing stays behind for empty
 * rooms. Nothing scans the keyspace: silent nodes are a range of {@code sb:nodes}.
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
  /**
   * A room's keys as a table: from KEYS[1..5] when the caller passed them (in the order of
   * {@link #roomKeys}), or built from the room's name when the script finds the room in a node's set.
   */
  private static final String ROOM_KEYS = """
      local function declared_room_keys()
        return {members = KEYS[1], nodes = KEYS[2], profiles = KEYS[3], away = KEYS[4], ids = KEYS[5]}
      end
      local function room_keys(room)
        local prefix = 'sb:room:' .. room .. ':'
        return {members = prefix .. 'members', nodes = prefix .. 'nodes', profiles = prefix .. 'profiles',
                away = prefix .. 'away', ids = prefix .. 'ids'}
      end
      -- {peer, node, profile JSON or '', 1 when held disconnected}
      local function describe(k, peer)
        return {peer, redis.call('HGET', k.nodes, peer) or '', redis.call('HGET', k.profiles, peer) or '',
                redis.call('SISMEMBER', k.away, peer)}
      end
      -- drops the identity entries that point at the peer, except the one for keep (a name or nil)
      local function forget_identities(k, peer, keep)
        local ids = redis.call('HGETALL', k.ids)
        for i = 1, #ids, 2 do
          if ids[i + 1] == peer and ids[i] ~= keep then redis.call('HDEL', k.ids, ids[i]) end
        end
      end
      -- removes a member and everything kept about it; the room's keys go with its last member.
      -- Returns 1 when the room emptied.
      local function drop_member(k, rooms, room, peer)
        local node = redis.call('HGET', k.nodes, peer)
        redis.call('ZREM', k.members, peer)
        redis.call('HDEL', k.nodes, peer)
        redis.call('HDEL', k.profiles, peer)
        redis.call('SREM', k.away, peer)
        forget_identities(k, peer, nil)
        if node then redis.call('SREM', 'sb:node:' .. node .. ':peers', room .. '|' .. peer) end
        if redis.call('ZCARD', k.members) == 0 then
          -- with the room's media node record (placement.RedisPlacementStore.key)
          redis.call('DEL', k.members, k.nodes, k.profiles, k.away, k.ids, 'sb:room:' .. room .. ':media')
          redis.call('SREM', rooms, room)
          return 1
        end
        return 0
      end
      """;
  /**
   * KEYS: the room's five keys, rooms, seq, node list, the joining node's peers. ARGV: room, peer, node, max,
   * profile JSON, 1 connected / 0 disconnected, exclusive identity or ''. Returns {admitted, already member,
   * was disconnected, present (described), replaced (described, or empty)}.
   */
  static final String JOIN = NOW_MILLIS + ROOM_KEYS + """
      local k = declared_room_keys()
      local rooms, seq, nodeList, nodePeers = KEYS[6], KEYS[7], KEYS[8], KEYS[9]
      local room, peer, node, max = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
      local profile, connected, identity = ARGV[5], ARGV[6] == '1', ARGV[7]
      local entry = room .. '|' .. peer
      local function others()
        local out = {}
        for _, p in ipairs(redis.call('ZRANGE', k.members, 0, -1)) do
          if p ~= peer then table.insert(out, describe(k, p)) end
        end
        return out
      end
      local function holder_of(id)
        local holder = redis.call('HGET', k.ids, id)
        if holder and redis.call('ZSCORE', k.members, holder) then return holder end
        return nil
      end
      local function write_member()
        redis.call('HSET', k.nodes, peer, node)
        redis.call('HSET', k.profiles, peer, profile)
        if connected then redis.call('SREM', k.away, peer) else redis.call('SADD', k.away, peer) end
        redis.call('SADD', nodePeers, entry)
        redis.call('ZADD', nodeList, 'NX', now_millis(), node)
      end
      if redis.call('ZSCORE', k.members, peer) then
        -- a member again: node, profile and state are overwritten; it keeps its place in the join order
        local was_away = redis.call('SISMEMBER', k.away, peer)
        local old_node = redis.call('HGET', k.nodes, peer)
        if old_node and old_node ~= node then redis.call('SREM', 'sb:node:' .. old_node .. ':peers', entry) end
        if identity == '' then
          forget_identities(k, peer, nil)
        else
          forget_identities(k, peer, identity)
          if not holder_of(identity) then redis.call('HSET', k.ids, identity, peer) end
        end
        write_member()
        return {1, 1, was_away, others(), {}}
      end
      local replaced = {}
      if identity ~= '' then
        local holder = holder_of(identity)
        if holder then
          replaced = describe(k, holder)
          drop_member(k, rooms, room, holder)
        end
      end
      if redis.call('ZCARD', k.members) >= max then return {0, 0, 0, {}, {}} end
      local present = others()
      redis.call('ZADD', k.members, redis.call('INCR', seq), peer)
      if identity ~= '' then redis.call('HSET', k.ids, identity, peer) end
      write_member()
      redis.call('SADD', rooms, room)
      return {1, 0, 0, present, replaced}
      """;
  /** KEYS: members, away. ARGV: peer, 1 connected / 0 disconnected. 1 only when a member changed state. */
  private static final String SET_CONNECTED = """
      if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
      if ARGV[2] == '1' then return redis.call('SREM', KEYS[2], ARGV[1]) end
      return redis.call('SADD', KEYS[2], ARGV[1])
      """;
  /** KEYS: the room's five keys, rooms. ARGV: room, peer. */
  private static final String LEAVE = ROOM_KEYS + """
      local k = declared_room_keys()
      if not redis.call('ZSCORE', k.members, ARGV[2]) then return {0, 0} end
      return {1, drop_member(k, KEYS[6], ARGV[1], ARGV[2])}
      """;
  private static final String ARE_MEMBERS = """
      if redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 1 end
      return 0
      """;
  /** KEYS: the room's five keys. Every member described, in join order. */
  private static final String MEMBERS = ROOM_KEYS + """
      local k = declared_room_keys()
      local out = {}
      for _, p in ipairs(redis.call('ZRANGE', k.members, 0, -1)) do table.insert(out, describe(k, p)) end
      return out
      """;
  /** Removes every peer the node holds and delists it; each peer goes to exactly one of racing reapers. */
  private static final String REMOVE_PEERS = ROOM_KEYS + """
      local function remove_node(nodePeers, rooms, nodeList, node)
        local removed = {}
        for _, entry in ipairs(redis.call('SMEMBERS', nodePeers)) do
          local bar = string.find(entry, '|', 1, true)
          local room, peer = string.sub(entry, 1, bar - 1), string.sub(entry, bar + 1)
          local k = room_keys(room)
          if redis.call('HGET', k.nodes, peer) == node and redis.call('ZSCORE', k.members, peer) then
            drop_member(k, rooms, room, peer)
            table.insert(removed, room)
            table.insert(removed, peer)
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
  /** The heartbeat ZSET's key, for the media placement's take-over (a live owner keeps its rooms). */
  public static final String NODES_KEY = NODES;
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

  private static String roomKey(String room, String part) {
    return "sb:room:" + room + ":" + part;
  }

  /** The room's keys in the order the scripts expect them as KEYS[1..5] (see ROOM_KEYS). */
  private static List<String> roomKeys(String room, String... more) {
    List<String> keys = new ArrayList<>(5 + more.length);
    for (String part : List.of("members", "nodes", "profiles", "away", "ids")) {
      keys.add(roomKey(room, part));
    }
    keys.addAll(List.of(more));
    return keys;
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
  private static final Script SET_CONNECTED_SCRIPT = Script.of(SET_CONNECTED);
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
    String identity = member.profile().exclusiveIdentity();
    return eval(JOIN_SCRIPT, roomKeys(room, ROOMS, SEQUENCE, NODES, nodePeersKey(member.nodeId())), room,
        member.peerId(), member.nodeId(), String.valueOf(maxPeers), member.profile().toJson().encode(),
        member.connected() ? "1" : "0", identity == null ? "" : identity)
        .map(r -> {
          if (r.get(0).toInteger() == 0) {
            return JoinResult.full();
          }
          Response replaced = r.get(4);
          return new JoinResult(true, r.get(1).toInteger() == 1, r.get(2).toInteger() == 1, members(r.get(3)),
              replaced.size() == 0 ? null : member(replaced));
        })
        .compose(result -> refreshRoomCount().map(result));
  }

  @Override
  public Future<Boolean> setConnected(String room, String peerId, boolean connected) {
    return eval(SET_CONNECTED_SCRIPT, List.of(roomKey(room, "members"), roomKey(room, "away")), peerId,
        connected ? "1" : "0").map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<LeaveResult> leave(String room, String peerId) {
    return eval(LEAVE_SCRIPT, roomKeys(room, ROOMS), room, peerId)
        .map(r -> new LeaveResult(r.get(0).toInteger() == 1, r.get(1).toInteger() == 1))
        .compose(result -> refreshRoomCount().map(result));
  }

  @Override
  public Future<Boolean> areMembers(String room, String peerA, String peerB) {
    return eval(ARE_MEMBERS_SCRIPT, List.of(roomKey(room, "members")), peerA, peerB).map(r -> r.toInteger() == 1);
  }

  @Override
  public Future<List<Member>> members(String room) {
    return eval(MEMBERS_SCRIPT, roomKeys(room)).map(RedisRoomStore::members);
  }

  /** Members as the scripts describe them: {peer, node, profile JSON or '', 1 when disconnected}. */
  private static List<Member> members(Response described) {
    List<Member> out = new ArrayList<>(described.size());
    for (Response one : described) {
      out.add(member(one));
    }
    return out;
  }

  private static Member member(Response described) {
    String profile = described.get(2).toString();
    return new Member(described.get(0).toString(), described.get(1).toString(),
        profile.isEmpty() ? PeerProfile.ANONYMOUS : PeerProfile.fromJson(new JsonObject(profile)),
        described.get(3).toInteger() == 0);
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

package dev.switchboard.placement;

import dev.switchboard.room.RedisRoomStore;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The room → media node record in the cluster's Redis: {@code sb:room:<room>:media} holds the owner's node id.
 * It is set only while the room has members ({@code sb:room:<room>:members}, kept by {@code RedisRoomStore}),
 * and the registry's scripts delete it with the room's other keys when its last member goes, so an emptied room
 * keeps no owner. Each operation is one small Lua script (EVAL), atomic however many nodes race.
 */
public final class RedisPlacementStore implements PlacementStore {
  /** KEYS: media, members. ARGV: node. The recorded owner; '' when the room has no members. */
  private static final String CLAIM = """
      local owner = redis.call('GET', KEYS[1])
      if owner then return owner end
      if redis.call('EXISTS', KEYS[2]) == 0 then return '' end
      redis.call('SET', KEYS[1], ARGV[1])
      return ARGV[1]
      """;
  /**
   * KEYS: media, members, nodes. ARGV: lost owner, node, heartbeat TTL in ms. The owner recorded afterwards; '' when
   * the room has no members. An owner whose heartbeat in Redis is younger than the TTL keeps the room: the node
   * that asks may be the one with a stale view of the cluster (healing, paused), and moving the room would split
   * its media between two nodes.
   */
  private static final String TAKE_OVER = """
      local owner = redis.call('GET', KEYS[1])
      if owner and owner ~= ARGV[1] then return owner end
      if redis.call('EXISTS', KEYS[2]) == 0 then return '' end
      local beat = redis.call('ZSCORE', KEYS[3], ARGV[1])
      if beat then
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        if now - tonumber(beat) < tonumber(ARGV[3]) then return ARGV[1] end
      end
      redis.call('SET', KEYS[1], ARGV[2])
      return ARGV[2]
      """;

  private final RedisAPI redis;
  private final long timeoutMillis;
  private final long heartbeatTtlMillis;

  /** @param heartbeatTtl the registry's: a node whose last heartbeat is older is silent (RedisRoomStore) */
  public RedisPlacementStore(RedisAPI redis, Duration commandTimeout, Duration heartbeatTtl) {
    this.redis = redis;
    this.timeoutMillis = commandTimeout.toMillis();
    this.heartbeatTtlMillis = heartbeatTtl.toMillis();
  }

  /** The key of the room's record; {@code RedisRoomStore} deletes it with the room (same spelling there). */
  public static String key(String room) {
    return "sb:room:" + room + ":media";
  }

  private static String membersKey(String room) {
    return "sb:room:" + room + ":members";
  }

  @Override
  public Future<String> claim(String room, String node) {
    return eval(CLAIM, room, node);
  }

  @Override
  public Future<String> takeOver(String room, String lostOwner, String node) {
    return eval(TAKE_OVER, room, lostOwner, node, String.valueOf(heartbeatTtlMillis));
  }

  @Override
  public Future<String> owner(String room) {
    return timed(redis.get(key(room))).map(r -> r == null ? null : r.toString());
  }

  private Future<String> eval(String script, String room, String... args) {
    List<String> call = new ArrayList<>(List.of(script, "3", key(room), membersKey(room), RedisRoomStore.NODES_KEY));
    call.addAll(List.of(args));
    return timed(redis.eval(call)).compose(r -> {
      String owner = r == null ? "" : r.toString();
      return owner.isEmpty() ? Future.failedFuture(new MediaPlacement.PlacementUnavailable(room))
          : Future.succeededFuture(owner);
    });
  }

  private Future<Response> timed(Future<Response> command) {
    return command.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
  }
}

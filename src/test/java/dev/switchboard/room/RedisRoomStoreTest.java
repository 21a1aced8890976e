package dev.switchboard.room;

import dev.switchboard.bus.PeerProfile;
import dev.switchboard.support.RedisProcess;
import dev.switchboard.support.UnixSignals;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The contract against a real redis-server, plus what only a shared store must do. */
class RedisRoomStoreTest extends RoomStoreContract {
  private static RedisProcess server;
  private static Vertx vertx;
  private static RedisAPI api;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisProcess.start();
    vertx = Vertx.vertx();
    api = RedisAPI.api(Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url())));
  }

  @AfterAll
  static void stopRedis() throws Exception {
    on(vertx.close(), 10);
    server.close();
  }

  @BeforeEach
  void empty() {
    on(api.flushall(List.of()), 5);
  }

  @Override
  RoomStore store() {
    return new RedisRoomStore(api);
  }

  @Test
  void nothing_is_left_behind_when_rooms_empty() {
    RoomStore store = store();
    on(store.join("r", new Member("a", "n1"), 6), 5);
    on(store.join("s", new Member("b", "n2"), 6), 5);
    on(store.leave("r", "a"), 5);
    on(store.removeNode("n2"), 5);
    List<String> keys = on(api.keys("sb:*"), 5).stream().map(Object::toString).sorted().toList();
    assertEquals(List.of("sb:nodes", "sb:seq"), keys, "only the sequence counter and the node list remain");
    assertEquals(List.of("n1"), zrange("sb:nodes"), "n1 is still a node; the removed n2 is not listed");
  }

  @Test
  void nothing_of_a_room_stays_after_its_last_member_leaves_or_its_node_is_reaped() throws Exception {
    RedisRoomStore store = new RedisRoomStore(api, Duration.ofSeconds(2), Duration.ofMillis(200));
    // left room by room: profiles, held-disconnected members, identities, a replacement, a move between nodes
    on(store.join("r", new Member("a1", "n1", verified("alice"), true), 6), 5);
    on(store.join("r", new Member("b", "n1", verified("bob"), true), 6), 5);
    on(store.join("r", new Member("c", "n1", PeerProfile.ANONYMOUS, false), 6), 5);
    assertEquals("a1", on(store.join("r", new Member("a2", "n2", verified("alice"), true), 6), 5)
        .replaced().peerId());
    assertTrue(on(store.setConnected("r", "b", false), 5));
    assertTrue(on(store.join("r", new Member("b", "n3", verified("bob"), true), 6), 5).wasDisconnected());
    assertEquals(Map.of("alice", "a2", "bob", "b"), hash("sb:room:r:ids"));
    assertEquals(List.of("c"), members("sb:room:r:away"));
    assertEquals(List.of("a2", "b", "c"), sorted(List.copyOf(hash("sb:room:r:profiles").keySet())));
    assertEquals(List.of("r|c"), members("sb:node:n1:peers"), "the replaced a1 and the moved b left n1's set");
    assertEquals(List.of("r|b"), members("sb:node:n3:peers"));
    on(store.leave("r", "a2"), 5);
    assertEquals(Map.of("bob", "b"), hash("sb:room:r:ids"), "the identity of a leaving member is free again");
    on(store.leave("r", "b"), 5);
    on(store.leave("r", "c"), 5);
    assertEquals(List.of("sb:nodes", "sb:seq"), keys(), "room r left by every member");

    // reaped: a node removed, and a silent node
    on(store.join("s", new Member("d", "n4", verified("dave"), false), 6), 5);
    on(store.join("s", new Member("e", "n4", verified("erin"), true), 6), 5);
    on(store.join("t", new Member("f", "n5", verified("frank"), true), 6), 5);
    assertTrue(on(store.setConnected("t", "f", false), 5));
    assertEquals(2, on(store.removeNode("n4"), 5).size());
    on(store.heartbeat("n1"), 5);
    Thread.sleep(300);
    on(store.heartbeat("n1"), 5);
    assertEquals(List.of(new Membership("t", "f")), on(store.removeSilentNode("n5"), 5));
    assertEquals(List.of("sb:nodes", "sb:seq"), keys(), "rooms s and t reaped with their nodes");
    assertEquals(0, store.roomCount());
  }

  private static PeerProfile verified(String identity) {
    return new PeerProfile(identity, identity, new JsonObject(), true, true, true, false);
  }

  private static List<String> keys() {
    return sorted(on(api.keys("sb:*"), 5).stream().map(Object::toString).toList());
  }

  private static List<String> members(String set) {
    return sorted(on(api.smembers(set), 5).stream().map(Object::toString).toList());
  }

  private static Map<String, String> hash(String key) {
    io.vertx.redis.client.Response all = on(api.hgetall(key), 5);
    Map<String, String> out = new java.util.TreeMap<>();
    for (String field : all.getKeys()) {
      out.put(field, all.get(field).toString());
    }
    return out;
  }

  @Test
  void two_nodes_racing_to_reap_the_same_dead_node_remove_each_peer_once() {
    RoomStore one = store();
    RoomStore two = store();
    for (int i = 0; i < 50; i++) {
      on(one.join("room-" + (i % 10), new Member("p" + i, "dead"), 6), 5);
    }
    List<List<Membership>> results = on(Future.all(one.removeNode("dead"), two.removeNode("dead"))
        .map(all -> List.of(all.<List<Membership>>resultAt(0), all.<List<Membership>>resultAt(1))), 5);
    assertEquals(50, results.get(0).size() + results.get(1).size(), "each peer reaped by exactly one node");
    assertTrue(results.get(0).isEmpty() || results.get(1).isEmpty(), "the scripts are atomic: one node wins");
  }

  @Test
  void concurrent_joins_never_overfill_a_room() {
    RoomStore store = store();
    List<Future<RoomStore.JoinResult>> joins = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      joins.add(store.join("crowd", new Member("p" + i, "n" + (i % 3)), 6));
    }
    on(Future.all(joins), 5);
    assertEquals(6, joins.stream().filter(f -> f.result().admitted()).count());
    assertEquals(6, on(store.members("crowd"), 5).size());
  }

  @Test
  void heartbeats_list_live_nodes_by_redis_time_and_a_node_silent_for_the_ttl_is_reported() throws Exception {
    RedisRoomStore store = new RedisRoomStore(api, Duration.ofSeconds(2), Duration.ofMillis(1000));
    on(store.join("r", new Member("a", "n1"), 6), 5);
    on(store.join("r", new Member("b", "n2"), 6), 5);
    on(store.heartbeat("n1"), 5);
    on(store.heartbeat("n2"), 5);
    assertEquals(List.of("n1", "n2"), sorted(on(store.liveNodes(), 5)));
    assertEquals(List.of(), on(store.silentNodes(), 5));
    Thread.sleep(1200);
    on(store.heartbeat("n1"), 5);
    assertEquals(List.of("n2"), on(store.silentNodes(), 5));
    assertEquals(List.of("n1"), on(store.liveNodes(), 5));
    assertEquals(List.of("n1", "n2"), sorted(zrange("sb:nodes")), "one sorted set of nodes, no key per node");
  }

  @Test
  void a_silent_node_that_heartbeats_again_before_the_reap_is_not_reaped_from_the_stale_answer() throws Exception {
    RedisRoomStore store = new RedisRoomStore(api, Duration.ofSeconds(2), Duration.ofMillis(1000));
    on(store.join("r", new Member("a", "n1"), 6), 5);
    on(store.join("r", new Member("b", "n2"), 6), 5);
    on(store.heartbeat("n2"), 5);
    Thread.sleep(1200);
    on(store.heartbeat("n1"), 5);
    assertEquals(List.of("n2"), on(store.silentNodes(), 5), "the answer a reaper acts on");
    on(store.heartbeat("n2"), 5); // n2 was only slow: it heartbeats before the reaper's script runs
    assertEquals(List.of(), on(store.removeSilentNode("n2"), 5), "staleness is re-checked inside the script");
    assertEquals(List.of(new Member("a", "n1"), new Member("b", "n2")), on(store.members("r"), 5));
    assertEquals(List.of("n1", "n2"), sorted(on(store.liveNodes(), 5)));

    Thread.sleep(1200);
    on(store.heartbeat("n1"), 5);
    RedisRoomStore racer = new RedisRoomStore(api, Duration.ofSeconds(2), Duration.ofMillis(1000));
    List<List<Membership>> reaped = on(Future.all(store.removeSilentNode("n2"), racer.removeSilentNode("n2"))
        .map(all -> List.of(all.<List<Membership>>resultAt(0), all.<List<Membership>>resultAt(1))), 5);
    assertEquals(List.of(new Membership("r", "b")),
        reaped.stream().flatMap(List::stream).toList(), "reaped once, by one of the racers");
    assertEquals(List.of(new Member("a", "n1")), on(store.members("r"), 5));
    assertEquals(List.of("n1"), zrange("sb:nodes"), "a reaped node is no longer listed");
    assertEquals(List.of(), on(store.silentNodes(), 5));
  }

  @Test
  void a_node_removed_because_the_cluster_lost_it_is_no_longer_listed_live_until_it_heartbeats() {
    RedisRoomStore store = new RedisRoomStore(api);
    on(store.join("r", new Member("a", "n1"), 6), 5);
    on(store.join("r", new Member("b", "n2"), 6), 5);
    on(store.heartbeat("n1"), 5);
    assertFalse(on(store.heartbeat("n2"), 5), "n2 was listed by its join already");
    on(store.removeNode("n2"), 5);
    assertEquals(List.of("n1"), on(store.liveNodes(), 5));
    assertTrue(on(store.heartbeat("n2"), 5), "a reaped node that heartbeats again is listed anew");
    assertEquals(List.of("n1", "n2"), sorted(on(store.liveNodes(), 5)));
  }

  @Test
  void the_heartbeat_cycle_and_every_operation_run_without_scanning_the_keyspace() {
    RedisRoomStore store = new RedisRoomStore(api);
    for (int i = 0; i < 200; i++) {
      on(store.join("room-" + (i % 40), new Member("p" + i, "n" + (i % 4)), 6), 5);
    }
    on(api.config(List.of("RESETSTAT")), 5);
    on(store.heartbeat("n0"), 5);
    on(store.silentNodes(), 5);
    on(store.liveNodes(), 5);
    on(store.removeSilentNode("n1"), 5);
    on(store.removeNode("n2"), 5);
    on(store.join("room-0", new Member("q", "n0"), 6), 5);
    on(store.areMembers("room-0", "q", "p0"), 5);
    on(store.members("room-0"), 5);
    on(store.leave("room-0", "q"), 5);
    String stats = on(api.info(List.of("commandstats")), 5).toString();
    assertTrue(stats.contains("cmdstat_evalsha:"), stats);
    assertFalse(stats.contains("cmdstat_scan:") || stats.contains("cmdstat_keys:"), "no SCAN or KEYS: " + stats);
    assertFalse(stats.contains("cmdstat_eval:"), "scripts are sent once, then called by SHA1: " + stats);
  }

  @Test
  void scripts_run_by_sha1_and_are_loaded_again_when_redis_restarted_empty() throws Exception {
    try (RedisProcess own = RedisProcess.start()) {
      RedisAPI client = RedisAPI.api(Redis.createClient(vertx, new RedisOptions().setConnectionString(own.url())));
      RedisRoomStore store = new RedisRoomStore(client);
      on(store.join("r", new Member("a", "n1"), 6), 5);
      own.stop();
      own.restart(); // empty: no keys, no cached scripts
      awaitAnswering(client);
      assertEquals(0, on(client.script(List.of("EXISTS", RedisRoomStore.sha1Hex(RedisRoomStore.JOIN))), 5)
              .get(0).toInteger(),
          "the restarted server has no script cached");
      RoomStore.JoinResult joined = on(store.join("r", new Member("b", "n2"), 6), 5);
      assertTrue(joined.admitted() && joined.present().isEmpty(), "NOSCRIPT answered by SCRIPT LOAD and a retry");
      assertEquals(List.of(new Member("b", "n2")), on(store.members("r"), 5));
      String stats = on(client.info(List.of("commandstats")), 5).toString();
      // Redis 7 names subcommands ("cmdstat_script|load"), older servers only the command
      assertTrue(stats.contains("cmdstat_script|load:") || stats.contains("cmdstat_script:"), stats);
      assertFalse(stats.contains("cmdstat_eval:"), "never the full script text per call: " + stats);
    }
  }

  @Test
  void a_stalled_redis_fails_every_call_within_the_command_timeout_instead_of_hanging() throws Exception {
    try (RedisProcess own = RedisProcess.start()) {
      RedisAPI client = RedisAPI.api(Redis.createClient(vertx, new RedisOptions().setConnectionString(own.url())));
      RedisRoomStore store = new RedisRoomStore(client, Duration.ofMillis(300), Duration.ofSeconds(10));
      on(store.join("r", new Member("a", "n1"), 6), 5); // connected, scripts loaded
      UnixSignals.stop(own.pid());
      try {
        for (Future<?> call : List.of(store.join("r", new Member("b", "n1"), 6), store.areMembers("r", "a", "b"),
            store.leave("r", "a"), store.heartbeat("n1"), store.silentNodes(), store.liveNodes(),
            store.removeNode("n2"))) {
          long start = System.nanoTime();
          Throwable failure = on(call.map(ok -> (Throwable) null).otherwise(cause -> cause), 5);
          long millis = (System.nanoTime() - start) / 1_000_000;
          assertNotNull(failure, "a call to a stalled Redis must fail");
          assertTrue(millis < 1500, "failed after " + millis + " ms, the timeout is 300 ms");
          assertTrue(String.valueOf(failure.getMessage()).contains("timed out"), String.valueOf(failure));
        }
      } finally {
        UnixSignals.resume(own.pid());
      }
      // a timed-out command is not withdrawn: Redis may still apply it once resumed, like a request that
      // reached an unreachable-looking store; the registry treats the outcome as unknown (see RoomRegistry)
      assertTrue(on(store.heartbeat("n1").map(true), 5), "answers again once resumed");
    }
  }

  private static void awaitAnswering(RedisAPI client) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      if (on(client.ping(List.of()).map(true).otherwise(false), 5)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("redis not answering after restart");
  }

  private static List<String> zrange(String key) {
    return on(api.zrange(List.of(key, "0", "-1")), 5).stream().map(Object::toString).toList();
  }

  private static List<String> sorted(List<String> ids) {
    return ids.stream().sorted().toList();
  }
}

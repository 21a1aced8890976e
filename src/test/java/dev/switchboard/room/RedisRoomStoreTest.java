package dev.switchboard.room;

import dev.switchboard.support.RedisProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
    List<String> keys = on(api.keys("sb:*"), 5).stream().map(Object::toString).toList();
    assertEquals(List.of("sb:seq"), keys, "only the sequence counter remains");
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
  void nodes_holding_peers_without_a_live_heartbeat_are_reported_silent() {
    RedisRoomStore store = new RedisRoomStore(api);
    on(store.join("r", new Member("a", "alive-node"), 6), 5);
    on(store.join("r", new Member("b", "silent-node"), 6), 5);
    on(store.heartbeat("alive-node", 10), 5);
    assertEquals(List.of("silent-node"), on(store.silentNodes(), 5));
    on(store.heartbeat("silent-node", 10), 5);
    assertEquals(List.of(), on(store.silentNodes(), 5));
  }
}

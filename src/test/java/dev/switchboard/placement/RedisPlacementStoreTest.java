package dev.switchboard.placement;

import dev.switchboard.room.Member;
import dev.switchboard.room.RedisRoomStore;
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
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The room → media node record in a real redis-server, next to the registry that deletes it with the room. */
@Timeout(60)
class RedisPlacementStoreTest {
  private static RedisProcess server;
  private static Vertx vertx;
  private static RedisAPI api;
  private RedisPlacementStore placements;
  private RedisRoomStore rooms;

  @BeforeAll
  static void startRedis() throws Exception {
    server = RedisProcess.start();
    vertx = Vertx.vertx();
    api = RedisAPI.api(Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url())
        .setMaxPoolSize(16).setMaxPoolWaiting(1024)));
  }

  @AfterAll
  static void stopRedis() throws Exception {
    on(vertx.close(), 10);
    server.close();
  }

  @BeforeEach
  void empty() {
    on(api.flushall(List.of()), 5);
    placements = new RedisPlacementStore(api, Duration.ofSeconds(2), Duration.ofSeconds(10));
    rooms = new RedisRoomStore(api);
  }

  @Test
  void racing_first_claims_from_two_nodes_record_one_owner_that_all_of_them_are_told() {
    for (int round = 0; round < 50; round++) {
      String room = "race" + round;
      on(rooms.join(room, new Member("p" + round, "n1"), 25), 5);
      List<Future<String>> claims = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        claims.add(placements.claim(room, i % 2 == 0 ? "n1" : "n2"));
      }
      on(Future.all(claims), 5);
      Set<String> told = claims.stream().map(Future::result).collect(Collectors.toSet());
      assertEquals(1, told.size(), "one owner for " + room + ": " + told);
      assertEquals(told.iterator().next(), on(placements.owner(room), 5));
    }
  }

  @Test
  void survivors_racing_to_take_over_a_lost_owner_end_with_one_and_a_live_owner_is_never_replaced() {
    on(rooms.join("r", new Member("p", "n1"), 25), 5);
    assertEquals("n1", on(placements.claim("r", "n1"), 5));
    List<Future<String>> takeOvers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      takeOvers.add(placements.takeOver("r", "n1", i % 2 == 0 ? "n2" : "n3"));
    }
    on(Future.all(takeOvers), 5);
    Set<String> told = takeOvers.stream().map(Future::result).collect(Collectors.toSet());
    assertEquals(1, told.size(), "one new owner: " + told);
    String survivor = told.iterator().next();
    assertEquals(survivor, on(placements.owner("r"), 5));
    assertEquals(survivor, on(placements.takeOver("r", "n1", "n4"), 5), "a stale take-over changes nothing");
    assertEquals(survivor, on(placements.claim("r", "n4"), 5));
  }

  @Test
  void an_owner_that_still_heartbeats_keeps_its_room_whatever_one_nodes_view_of_the_cluster_says() {
    on(rooms.join("r", new Member("p", "n1"), 25), 5);
    assertEquals("n1", on(placements.claim("r", "n1"), 5));
    on(rooms.heartbeat("n1"), 5);
    assertEquals("n1", on(placements.takeOver("r", "n1", "n2"), 5), "n1 heartbeated within the TTL");
    assertEquals("n1", on(placements.owner("r"), 5));
    on(api.zadd(List.of(RedisRoomStore.NODES_KEY, "0", "n1")), 5); // its last heartbeat long ago: silent
    assertEquals("n2", on(placements.takeOver("r", "n1", "n2"), 5), "a silent owner is replaced");
  }

  @Test
  void the_record_goes_with_the_rooms_last_member_and_an_empty_room_is_never_claimed() {
    on(rooms.join("r", new Member("a", "n1"), 25), 5);
    on(rooms.join("r", new Member("b", "n2"), 25), 5);
    assertEquals("n2", on(placements.claim("r", "n2"), 5));
    on(rooms.leave("r", "b"), 5);
    assertEquals("n2", on(placements.owner("r"), 5), "a member remains: the room keeps its media node");
    on(rooms.leave("r", "a"), 5);
    assertNull(on(placements.owner("r"), 5), "emptied: no owner left behind");
    assertInstanceOf(MediaPlacement.PlacementUnavailable.class, failureOf(placements.claim("r", "n1")),
        "a request racing the last leave records nothing");
    assertEquals(List.of(), on(api.keys("sb:room:*"), 5).stream().map(Object::toString).toList());

    on(rooms.join("s", new Member("c", "dead"), 25), 5);
    assertEquals("dead", on(placements.claim("s", "dead"), 5));
    on(rooms.removeNode("dead"), 5);
    assertNull(on(placements.owner("s"), 5), "a reaped node's emptied room keeps no owner either");
  }

  private static Throwable failureOf(Future<?> future) {
    try {
      on(future, 5);
    } catch (RuntimeException e) {
      return future.cause();
    }
    throw new AssertionError("expected a failure, got " + future.result());
  }
}

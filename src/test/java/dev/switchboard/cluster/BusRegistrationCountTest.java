package dev.switchboard.cluster;

import dev.switchboard.bus.Addresses;
import dev.switchboard.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What capacity runs read from a clustered node's {@code /metrics}: the event-bus consumers it registered, by
 * address family, cluster-wide (a Hazelcast subscription each) or local, and the subscription entries it stores.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BusRegistrationCountTest {

  @Test
  void a_clustered_node_counts_its_consumers_by_family_and_scope_until_they_are_unregistered() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    SwitchboardConfig.ClusterConfig cluster = new SwitchboardConfig.ClusterConfig(true, "127.0.0.1", "", port, 0,
        List.of("127.0.0.1:" + port), 5, "redis://127.0.0.1:1", Duration.ofSeconds(2));
    Vertx vertx = on(ClusterSupport.start(Vertx.builder().with(ClusterSupport.options(new VertxOptions(), cluster)),
        cluster), 60);
    try {
      CountingClusterManager counts = ClusterSupport.registrations(vertx).orElseThrow();
      MessageConsumer<Object> peer = vertx.eventBus().consumer(Addresses.peer("p1"), m -> { });
      MessageConsumer<Object> room = vertx.eventBus().consumer(Addresses.roomEvents("r1"), m -> { });
      MessageConsumer<Object> local = vertx.eventBus().localConsumer(Addresses.ROOM_JOIN, m -> { });
      on(peer.completion(), 10);
      on(room.completion(), 10);
      on(local.completion(), 10);

      assertEquals(1, counts.registrations("peer", true));
      assertEquals(1, counts.registrations("room", true));
      assertEquals(0, counts.registrations("fixed", true), "a local consumer is no Hazelcast subscription");
      assertEquals(1, counts.registrations("fixed", false));
      long[] stored = ClusterSupport.storedSubscriptions(vertx);
      assertTrue(stored[0] >= 2, "the only member owns every subscription entry: " + stored[0]);

      on(peer.unregister(), 10);
      on(local.unregister(), 10);
      assertEquals(0, counts.registrations("peer", true));
      assertEquals(1, counts.registrations("room", true));
      assertEquals(0, counts.registrations("fixed", false));
    } finally {
      on(vertx.close(), 30);
    }
  }
}

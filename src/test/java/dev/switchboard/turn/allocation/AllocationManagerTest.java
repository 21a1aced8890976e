package dev.switchboard.turn.allocation;

import dev.switchboard.support.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Allocations, reservations, quotas and expiry on a fake clock, with sockets that are never bound. */
@Timeout(20)
class AllocationManagerTest {
  private static final long LIFETIME = 600_000;
  private final FakeClock clock = FakeClock.now();
  private final CountingQuota quota = new CountingQuota(2);
  private final InetAddress ip = InetAddress.getLoopbackAddress();
  private final InetSocketAddress server = new InetSocketAddress(ip, 3478);
  private final AtomicInteger started = new AtomicInteger();
  private final List<DatagramChannel> sockets = new ArrayList<>();
  private RelayPorts ports = new RelayPorts(50000, 50099, address -> socket(), new Random(1));
  private AllocationManager manager = new AllocationManager(quota, 1000, ports, clock, 0, a -> started.incrementAndGet());

  private synchronized RelaySocket socket() throws IOException {
    DatagramChannel channel = DatagramChannel.open();
    sockets.add(channel);
    return new NioRelaySocket(channel);
  }

  @AfterEach
  void closeSockets() throws IOException {
    for (DatagramChannel channel : sockets) {
      channel.close();
    }
  }

  private static ClientLink link(FiveTuple tuple) {
    return new ClientLink() {
      @Override
      public FiveTuple fiveTuple() {
        return tuple;
      }

      @Override
      public void send(ByteBuffer data) {
      }

      @Override
      public void close() {
      }
    };
  }

  private FiveTuple udp(int clientPort) {
    return FiveTuple.udp(new InetSocketAddress(ip, clientPort), server);
  }

  private AllocationManager.Request request(FiveTuple tuple, String user, boolean reserveNext, byte[] token) {
    return new AllocationManager.Request(tuple, link(tuple), user, new byte[16], ip, ip, new byte[12], LIFETIME,
        reserveNext, reserveNext, token);
  }

  private AllocationManager.Outcome create(int clientPort, String user) {
    return manager.create(request(udp(clientPort), user, false, null));
  }

  @Test
  void the_same_address_over_udp_and_tcp_holds_two_allocations() {
    InetSocketAddress client = new InetSocketAddress(ip, 40000);
    FiveTuple overUdp = FiveTuple.udp(client, server);
    FiveTuple overTcp = FiveTuple.tcp(client, server);
    assertNotNull(manager.create(request(overTcp, "a", false, null)).allocation());
    assertNull(manager.get(overUdp), "a UDP lookup does not find the TCP allocation");
    assertNotNull(manager.create(request(overUdp, "a", false, null)).allocation());
    assertNotEquals(manager.get(overUdp), manager.get(overTcp));
  }

  @Test
  void a_refused_allocate_leaves_nothing_behind() {
    assertNotNull(create(1, "a").allocation());
    assertNotNull(create(2, "a").allocation());
    assertEquals(AllocationManager.Refusal.QUOTA, create(3, "a").refusal());
    assertEquals(2, quota.count("a"));
    assertEquals(2, ports.inUse());
    assertNull(manager.get(udp(3)));
    assertEquals(AllocationManager.Refusal.MISMATCH, create(1, "b").refusal(), "a second allocation on a 5-tuple");
    assertEquals(0, quota.count("b"), "the refusal counted nothing for b");
    ports = new RelayPorts(50000, 50000, address -> socket(), new Random(1));
    manager = new AllocationManager(quota, 1000, ports, clock, 0, a -> { });
    assertNotNull(create(10, "c").allocation());
    assertEquals(AllocationManager.Refusal.CAPACITY, create(11, "d").refusal(), "no port left");
    assertEquals(0, quota.count("d"), "the count taken before the port was looked for is given back");
  }

  @Test
  void allocates_racing_on_many_threads_never_exceed_the_total_quota() throws Exception {
    manager = new AllocationManager(Quota.NONE, 7, ports, clock, 0, a -> { });
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> outcomes = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        int port = 1000 + i;
        outcomes.add(pool.submit(() -> {
          go.await();
          return create(port, "user-" + port).allocation() != null;
        }));
      }
      go.countDown();
      int granted = 0;
      for (Future<Boolean> outcome : outcomes) {
        granted += outcome.get(10, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertEquals(7, granted);
      assertEquals(7, manager.allocationCount());
      assertEquals(7, ports.inUse());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void an_allocation_ends_when_its_lifetime_runs_out_and_a_refresh_after_that_fails() {
    Allocation allocation = create(1, "a").allocation();
    clock.advance(Duration.ofMillis(LIFETIME - 1));
    assertTrue(manager.refresh(allocation, LIFETIME), "in time");
    clock.advance(Duration.ofMillis(LIFETIME));
    assertFalse(allocation.alive(clock.millis()), "ran out before any sweep");
    assertFalse(manager.refresh(allocation, LIFETIME), "too late, even unswept");
    assertFalse(manager.delete(allocation), "nor can it be deleted");
    manager.sweep(user -> false);
    assertNull(manager.get(udp(1)));
    assertEquals(0, quota.count("a"));
    assertEquals(0, ports.inUse());
  }

  @Test
  void a_refresh_racing_the_sweeper_either_fails_or_keeps_the_allocation() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int i = 0; i < 300; i++) {
        Allocation allocation = create(1, "a").allocation();
        // at the very end of its lifetime: the sweeper may end it, a refresh may save it, never both
        clock.advance(Duration.ofMillis(LIFETIME - 1));
        CountDownLatch go = new CountDownLatch(1);
        Future<?> sweep = pool.submit(() -> {
          go.await();
          clock.advance(Duration.ofMillis(1));
          manager.sweep(user -> false);
          return null;
        });
        Future<Boolean> refresh = pool.submit(() -> {
          go.await();
          return manager.refresh(allocation, LIFETIME);
        });
        go.countDown();
        sweep.get(5, TimeUnit.SECONDS);
        boolean refreshed = refresh.get(5, TimeUnit.SECONDS);
        manager.sweep(user -> false);
        assertEquals(refreshed, manager.get(udp(1)) == allocation, "a success reply means the allocation lives");
        assertEquals(refreshed, allocation.alive(clock.millis()));
        manager.end(allocation);
        assertEquals(0, quota.count("a"), "released exactly once");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void an_even_port_reservation_counts_against_the_quota_and_expires_after_30_seconds() {
    AllocationManager.Outcome rtp = manager.create(request(udp(1), "a", true, null));
    assertNotNull(rtp.reservationToken());
    assertEquals(2, quota.count("a"), "the allocation and the reserved port");
    assertEquals(2, ports.inUse());
    assertEquals(AllocationManager.Refusal.QUOTA, create(2, "a").refusal());
    clock.advance(Duration.ofSeconds(31));
    manager.sweep(user -> false);
    assertEquals(1, quota.count("a"));
    assertEquals(1, ports.inUse());
    assertEquals(0, manager.reservationCount());
    assertEquals(AllocationManager.Refusal.CAPACITY,
        manager.create(request(udp(3), "a", false, rtp.reservationToken())).refusal(), "the token expired");
  }

  @Test
  void redeeming_a_token_moves_the_reservations_count_to_the_new_allocation() {
    AllocationManager.Outcome rtp = manager.create(request(udp(1), "a", true, null));
    Allocation rtcp = manager.create(request(udp(2), "a", false, rtp.reservationToken())).allocation();
    assertNotNull(rtcp);
    assertEquals(rtp.allocation().relayPort + 1, rtcp.relayPort, "the reserved port");
    assertEquals(2, quota.count("a"));
    assertEquals(0, manager.reservationCount());
    manager.end(rtcp);
    manager.end(rtp.allocation());
    assertEquals(0, quota.count("a"));
    assertEquals(0, ports.inUse());
  }

  @Test
  void revoked_users_lose_their_allocations_at_the_next_sweep() {
    create(1, "a");
    create(2, "b");
    manager.sweep("a"::equals);
    assertNull(manager.get(udp(1)));
    assertNotNull(manager.get(udp(2)));
    assertEquals(0, quota.count("a"));
  }
}

package dev.switchboard.turn;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.TurnRevocation;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.support.FakeClock;
import dev.switchboard.support.TestNode;
import dev.switchboard.support.TurnTestClient;
import dev.switchboard.support.Wait;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in relay with credentials bound to admitted peers (protocol §6): expiry gates new allocations only,
 * a revocation published on the bus refuses and ends a peer's allocations, quotas count per peer and identity.
 */
@ExtendWith(VertxExtension.class)
@Timeout(60)
class PeerBoundCredentialsTest {
  private static final String SECRET = "peer-bound-secret";
  private final TurnCredentials credentials = new TurnCredentials(List.of(SECRET), Duration.ofSeconds(600));

  private static TestNode node(Vertx vertx, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of("SWITCHBOARD_TURN_SECRET", SECRET));
    env.putAll(extra);
    return TestNode.start(vertx, env);
  }

  private TurnTestClient client(int port, String peerId, String identity) throws Exception {
    return client(port, credentials.issue(peerId, identity, System.currentTimeMillis() / 1000));
  }

  private static TurnTestClient client(int port, TurnCredential credential) throws Exception {
    return new TurnTestClient(port, credential.username(), credential.password());
  }

  private static int allocateCode(TurnTestClient client) throws Exception {
    return TurnTestClient.errorCode(client.request(MessageFactory.createAllocateRequest((byte) 17, false)));
  }

  private static void revoke(Vertx vertx, TestNode node, TurnRevocation revocation) {
    MeterRegistry registry = node.node().metrics().registry();
    double before = registry.get("switchboard.turn.revocations.held").gauge().value();
    vertx.eventBus().publish(Addresses.TURN_REVOKE, revocation.toJson());
    // the relay consumes on its own worker thread: wait until it holds the revocation
    Wait.until(() -> registry.get("switchboard.turn.revocations.held").gauge().value() > before, Duration.ofSeconds(5));
  }

  @Test
  void revoked_peer_cannot_allocate(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of())) {
      int port = node.node().turnPort();
      TurnCredential handedOut = credentials.issue("peerA", "alice", System.currentTimeMillis() / 1000);
      revoke(vertx, node, new TurnRevocation("peerA", List.of()));
      try (TurnTestClient revoked = client(port, handedOut);
           TurnTestClient samePeerOtherCredential = client(port, "peerA", "alice");
           TurnTestClient otherPeerSameIdentity = client(port, "peerB", "alice")) {
        assertEquals(401, allocateCode(revoked), "valid credential, revoked peer");
        assertEquals(401, allocateCode(samePeerOtherCredential), "every credential bound to the peer");
        otherPeerSameIdentity.allocate();
      }
      MeterRegistry registry = node.node().metrics().registry();
      assertEquals(2, registry.get("switchboard.turn.revoked.refused").functionCounter().count());
      assertEquals(0, registry.get("switchboard.turn.auth.failures").functionCounter().count(),
          "a revoked credential is not a wrong one");
      assertEquals(1, registry.get("switchboard.turn.allocations.active").gauge().value());
    }
  }

  @Test
  void revoked_peer_allocations_are_torn_down_within_5_seconds(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of());
         DatagramSocket peer = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
      int port = node.node().turnPort();
      InetSocketAddress peerAddress = new InetSocketAddress(peer.getLocalAddress(), peer.getLocalPort());
      TurnCredential credential = credentials.issue("peerA", "alice", System.currentTimeMillis() / 1000);
      try (TurnTestClient doomed = client(port, credential); TurnTestClient bystander = client(port, "peerB", "alice")) {
        InetSocketAddress relayed = doomed.allocate();
        bystander.allocate();
        assertTrue(TurnTestClient.success(doomed.channelBind(0x4000, peerAddress)));
        doomed.sendChannelData(0x4000, "before".getBytes(StandardCharsets.UTF_8));
        peer.setSoTimeout(3000);
        peer.receive(new DatagramPacket(new byte[1500], 1500));

        long revokedAt = System.nanoTime();
        revoke(vertx, node, new TurnRevocation("peerA", List.of(credential.username())));
        Message refresh;
        do {
          refresh = doomed.refresh(600);
          Thread.sleep(100);
        } while (TurnTestClient.success(refresh) && System.nanoTime() - revokedAt < Duration.ofSeconds(6).toNanos());
        long tornDownAfterMillis = (System.nanoTime() - revokedAt) / 1_000_000;
        assertEquals(437, TurnTestClient.errorCode(refresh), "the allocation is gone: Allocation Mismatch");
        assertTrue(tornDownAfterMillis < 5_000, "torn down after " + tornDownAfterMillis + " ms");

        peer.send(new DatagramPacket(new byte[] {1}, 1, relayed));
        assertThrows(SocketTimeoutException.class, doomed::receiveRaw, "the relayed port no longer relays");
        assertTrue(TurnTestClient.success(bystander.refresh(600)), "another peer of the same identity keeps its own");
        MeterRegistry registry = node.node().metrics().registry();
        assertEquals(1, registry.get("switchboard.turn.revoked.torn.down").functionCounter().count());
        assertEquals(1, registry.get("switchboard.turn.allocations.active").gauge().value());
      }
    }
  }

  @Test
  void expired_credential_still_refreshes_its_allocation(Vertx vertx) throws Exception {
    FakeClock clock = FakeClock.now();
    SwitchboardConfig config = Wait.on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of(
        "SWITCHBOARD_TURN_PORT", "0", "SWITCHBOARD_TURN_LISTEN_IP", "127.0.0.1",
        "SWITCHBOARD_TURN_ALLOWED_PEERS", "127.0.0.1/32")), 10);
    TurnCredentials shortLived = new TurnCredentials(List.of(SECRET), Duration.ofSeconds(60));
    TurnRelayVerticle relay = new TurnRelayVerticle(config.turn(), shortLived, SwitchboardMetrics.create(), clock);
    Wait.on(vertx.deployVerticle(relay, new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)), 10);
    TurnCredential credential = shortLived.issue("peerA", "alice", clock.epochSeconds());
    try (TurnTestClient client = client(relay.port(), credential); TurnTestClient late = client(relay.port(), credential)) {
      client.allocate();
      clock.advance(Duration.ofSeconds(120)); // the credential expired 60 s ago; the allocation lives 600 s

      Message refresh = client.refresh(600);
      assertTrue(TurnTestClient.success(refresh), "Refresh got " + TurnTestClient.errorCode(refresh));
      assertTrue(TurnTestClient.success(client.createPermission(new InetSocketAddress("127.0.0.1", 9))));
      assertTrue(TurnTestClient.success(client.channelBind(0x4000, new InetSocketAddress("127.0.0.1", 9))));
      assertEquals(401, allocateCode(late), "a new allocation with the expired credential");
    }
  }

  @Test
  void peer_quota_counts_allocations_per_peer(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of("SWITCHBOARD_TURN_USER_QUOTA", "2"))) {
      int port = node.node().turnPort();
      long now = System.currentTimeMillis() / 1000;
      // three credentials of one peer (ice:refresh hands out a new username each time): one quota
      try (TurnTestClient first = client(port, credentials.issue("peerA", "alice", now - 2));
           TurnTestClient second = client(port, credentials.issue("peerA", "alice", now - 1));
           TurnTestClient third = client(port, credentials.issue("peerA", "alice", now));
           TurnTestClient otherPeer = client(port, "peerB", "alice")) {
        first.allocate();
        second.allocate();
        assertEquals(486, allocateCode(third), "Allocation Quota Reached");
        otherPeer.allocate();
        assertTrue(TurnTestClient.success(first.refresh(0)), "freeing one makes room");
        third.allocate();
      }
    }
  }

  @Test
  void identity_quota_counts_across_peers(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of("SWITCHBOARD_TURN_IDENTITY_QUOTA", "2"))) {
      int port = node.node().turnPort();
      try (TurnTestClient a = client(port, "peerA", "alice"); TurnTestClient b = client(port, "peerB", "alice");
           TurnTestClient c = client(port, "peerC", "alice"); TurnTestClient bob = client(port, "peerD", "bob");
           TurnTestClient anon1 = client(port, "peerE", null); TurnTestClient anon2 = client(port, "peerF", null);
           TurnTestClient anon3 = client(port, "peerG", null)) {
        a.allocate();
        b.allocate();
        assertEquals(486, allocateCode(c), "a third peer of the same identity");
        bob.allocate();
        for (TurnTestClient anonymous : List.of(anon1, anon2, anon3)) {
          anonymous.allocate(); // peers without an identity are not one identity
        }
        assertTrue(TurnTestClient.success(a.refresh(0)));
        c.allocate();
      }
    }
  }
}

package dev.switchboard.turn;

import dev.switchboard.support.TestNode;
import dev.switchboard.support.TurnTestClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.ChannelNumberAttribute;
import org.ice4j.attribute.DataAttribute;
import org.ice4j.attribute.LifetimeAttribute;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.attribute.XorPeerAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in relay against a TURN client built on ice4j, with a plain UDP socket as the peer. */
@ExtendWith(VertxExtension.class)
class TurnRelayTest {
  private static final String SECRET = "relay-secret";
  private final TurnCredentials credentials = new TurnCredentials(List.of(SECRET), Duration.ofMinutes(10));

  private TestNode node(Vertx vertx, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of("SWITCHBOARD_TURN_SECRET", SECRET));
    env.putAll(extra);
    return TestNode.start(vertx, env);
  }

  private TurnTestClient client(TestNode node, String id) throws Exception {
    TurnCredential credential = credentials.issue(id, null, System.currentTimeMillis() / 1000);
    return new TurnTestClient(node.node().turnPort(), credential.username(), credential.password());
  }

  private static DatagramSocket peer() throws Exception {
    DatagramSocket peer = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
    peer.setSoTimeout(3000);
    return peer;
  }

  private static InetSocketAddress address(DatagramSocket socket) {
    return new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort());
  }

  @Test
  void binding_needs_no_credentials_and_reports_the_reflexive_address(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of()); TurnTestClient client = new TurnTestClient(node.node().turnPort(), "x", "y")) {
      Message response = client.request(MessageFactory.createBindingRequest());
      assertTrue(TurnTestClient.success(response));
      TransportAddress mapped = ((XorMappedAddressAttribute) response.getAttribute(Attribute.XOR_MAPPED_ADDRESS))
          .getAddress(response.getTransactionID());
      assertEquals("127.0.0.1", mapped.getAddress().getHostAddress());
    }
  }

  @Test
  void channel_data_is_relayed_both_ways(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of()); TurnTestClient client = client(node, "alice"); DatagramSocket peer = peer()) {
      InetSocketAddress relayed = client.allocate();
      assertTrue(TurnTestClient.success(client.channelBind(0x4001, address(peer))));
      client.sendChannelData(0x4001, "hello peer".getBytes(StandardCharsets.UTF_8));
      DatagramPacket atPeer = new DatagramPacket(new byte[1500], 1500);
      peer.receive(atPeer);
      assertEquals("hello peer", new String(atPeer.getData(), 0, atPeer.getLength(), StandardCharsets.UTF_8));
      assertEquals(relayed.getPort(), atPeer.getPort(), "the peer sees the relayed address");

      byte[] answer = "hello client".getBytes(StandardCharsets.UTF_8);
      peer.send(new DatagramPacket(answer, answer.length, atPeer.getSocketAddress()));
      byte[] frame = client.receiveRaw();
      assertEquals(0x4001, ((frame[0] & 0xff) << 8) | (frame[1] & 0xff));
      assertArrayEquals(answer, Arrays.copyOfRange(frame, 4, 4 + answer.length));
    }
  }

  @Test
  void clients_spread_over_every_packet_thread_are_each_relayed_both_ways_without_crosstalk(Vertx vertx) throws Exception {
    // four listener sockets share the port; the kernel hashes 16 clients over them (401 challenges are capped at 20 per source address and second), and allocations
    // rotate over four relay selectors
    try (TestNode node = node(vertx, Map.of("SWITCHBOARD_TURN_THREADS", "4")); DatagramSocket peer = peer()) {
      List<TurnTestClient> clients = new java.util.ArrayList<>();
      try {
        Map<Integer, Integer> clientByRelayPort = new HashMap<>();
        for (int i = 0; i < 16; i++) {
          TurnTestClient client = client(node, "spread-" + i);
          clients.add(client);
          clientByRelayPort.put(client.allocate().getPort(), i);
          assertTrue(TurnTestClient.success(client.channelBind(0x4000 + i, address(peer))));
        }
        for (int i = 0; i < clients.size(); i++) {
          clients.get(i).sendChannelData(0x4000 + i, ("from " + i).getBytes(StandardCharsets.UTF_8));
          DatagramPacket atPeer = new DatagramPacket(new byte[1500], 1500);
          peer.receive(atPeer);
          String text = new String(atPeer.getData(), 0, atPeer.getLength(), StandardCharsets.UTF_8);
          assertEquals("from " + clientByRelayPort.get(atPeer.getPort()), text, "arrived from that client's relayed port");
          byte[] answer = ("to " + i).getBytes(StandardCharsets.UTF_8);
          peer.send(new DatagramPacket(answer, answer.length, atPeer.getSocketAddress()));
          byte[] frame = clients.get(i).receiveRaw();
          assertEquals(0x4000 + i, ((frame[0] & 0xff) << 8) | (frame[1] & 0xff));
          assertArrayEquals(answer, Arrays.copyOfRange(frame, 4, 4 + answer.length));
        }
      } finally {
        clients.forEach(TurnTestClient::close);
      }
    }
  }

  @Test
  void send_indications_reach_the_peer_and_its_answer_comes_back_as_a_data_indication(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of()); TurnTestClient client = client(node, "bob"); DatagramSocket peer = peer()) {
      client.allocate();
      assertTrue(TurnTestClient.success(client.createPermission(address(peer))));
      client.sendIndication(address(peer), new byte[] {1, 2, 3});
      DatagramPacket atPeer = new DatagramPacket(new byte[1500], 1500);
      peer.receive(atPeer);
      assertEquals(3, atPeer.getLength());
      peer.send(new DatagramPacket(new byte[] {9, 8, 7, 6, 5}, 5, atPeer.getSocketAddress()));
      byte[] raw = client.receiveRaw();
      Message data = Message.decode(raw, 0, raw.length);
      assertEquals(Message.DATA_INDICATION, data.getMessageType());
      assertArrayEquals(new byte[] {9, 8, 7, 6, 5}, ((DataAttribute) data.getAttribute(Attribute.DATA)).getData());
      TransportAddress from = ((XorPeerAddressAttribute) data.getAttribute(Attribute.XOR_PEER_ADDRESS))
          .getAddress(data.getTransactionID());
      assertEquals(peer.getLocalPort(), from.getPort());
    }
  }

  @Test
  void a_peer_without_permission_is_not_relayed_to_or_from(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of()); TurnTestClient client = client(node, "carol"); DatagramSocket peer = peer()) {
      InetSocketAddress relayed = client.allocate();
      client.sendIndication(address(peer), new byte[] {1});
      peer.setSoTimeout(500);
      assertTrue(receivesNothing(peer));
      peer.send(new DatagramPacket(new byte[] {2}, 1, relayed));
      assertTrue(receivesNothing(client));
    }
  }

  @Test
  void denied_peers_are_refused_with_403_including_ipv6_spellings_of_loopback(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of("SWITCHBOARD_TURN_ALLOWED_PEERS", ""));
         TurnTestClient client = client(node, "dave")) {
      client.allocate();
      for (String peer : List.of("127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.1.1", "0.0.0.0", "224.0.0.1",
          "100.64.0.1", "172.16.0.1")) {
        Message response = client.createPermission(new InetSocketAddress(InetAddress.getByName(peer), 5000));
        assertEquals(403, TurnTestClient.errorCode(response), peer);
      }
      // IPv6 spellings of 127.0.0.1 on the wire (Inet6Address keeps the 16 bytes; InetAddress would unmap them)
      for (String peer : List.of("00000000000000000000ffff7f000001", "000000000000000000000000 7f000001".replace(" ", ""),
          "0064ff9b00000000000000007f000001", "20027f00000100000000000000000001")) {
        InetAddress v6 = Inet6Address.getByAddress(null, HexFormat.of().parseHex(peer), -1);
        assertEquals(403, TurnTestClient.errorCode(client.createPermission(new InetSocketAddress(v6, 5000))), peer);
      }
      InetAddress mapped = Inet6Address.getByAddress(null, HexFormat.of().parseHex("00000000000000000000ffff7f000001"), -1);
      Message bind = client.channelBind(0x4000, new InetSocketAddress(mapped, 5000));
      assertEquals(403, TurnTestClient.errorCode(bind), "the same check on every request naming a peer");
      assertEquals(443, TurnTestClient.errorCode(client.createPermission(
          new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 5000))), "IPv6 peer on an IPv4 relay");
    }
  }

  @Test
  void the_per_user_allocation_quota_holds(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of("SWITCHBOARD_TURN_USER_QUOTA", "2"))) {
      TurnCredential credential = credentials.issue("erin", null, System.currentTimeMillis() / 1000);
      int port = node.node().turnPort();
      try (TurnTestClient one = new TurnTestClient(port, credential.username(), credential.password());
           TurnTestClient two = new TurnTestClient(port, credential.username(), credential.password());
           TurnTestClient three = new TurnTestClient(port, credential.username(), credential.password())) {
        one.allocate();
        two.allocate();
        assertEquals(486, TurnTestClient.errorCode(three.request(MessageFactory.createAllocateRequest((byte) 17, false))));
        assertTrue(TurnTestClient.success(one.refresh(0)), "freeing one makes room");
        three.allocate();
      }
    }
  }

  @Test
  void permission_and_channel_quotas_hold(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of("SWITCHBOARD_TURN_MAX_PERMISSIONS", "2", "SWITCHBOARD_TURN_MAX_CHANNELS", "1",
        "SWITCHBOARD_TURN_ALLOWED_PEERS", "127.0.0.0/8"));
         TurnTestClient client = client(node, "frank")) {
      client.allocate();
      assertTrue(TurnTestClient.success(client.createPermission(new InetSocketAddress("127.0.0.1", 1))));
      assertTrue(TurnTestClient.success(client.createPermission(new InetSocketAddress("127.0.0.2", 1))));
      assertEquals(508, TurnTestClient.errorCode(client.createPermission(new InetSocketAddress("127.0.0.3", 1))));
      assertTrue(TurnTestClient.success(client.channelBind(0x4000, new InetSocketAddress("127.0.0.1", 1))));
      assertEquals(508, TurnTestClient.errorCode(client.channelBind(0x4001, new InetSocketAddress("127.0.0.2", 1))));
    }
  }

  @Test
  void channel_rules_are_enforced(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of()); TurnTestClient client = client(node, "gina")) {
      client.allocate();
      InetSocketAddress a = new InetSocketAddress("127.0.0.1", 1000);
      InetSocketAddress b = new InetSocketAddress("127.0.0.1", 2000);
      assertEquals(400, TurnTestClient.errorCode(client.channelBind(0x3FFF, a)), "below the channel range");
      assertTrue(TurnTestClient.success(client.channelBind(0x4000, a)));
      assertTrue(TurnTestClient.success(client.channelBind(0x4000, a)), "rebinding refreshes");
      assertEquals(400, TurnTestClient.errorCode(client.channelBind(0x4000, b)), "number taken by another peer");
      assertEquals(400, TurnTestClient.errorCode(client.channelBind(0x4002, a)), "peer bound to another number");
      assertTrue(TurnTestClient.success(client.channelBind(0x7FFF, b)), "top of RFC 5766's range (coturn's uclient draws it)");
      assertEquals(400, TurnTestClient.errorCode(client.channelBind(0x8000, new InetSocketAddress("127.0.0.1", 3000))),
          "above the channel range");
    }
  }

  @Test
  void wrong_or_expired_credentials_get_401_and_nothing_is_allocated(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of())) {
      int port = node.node().turnPort();
      TurnCredential good = credentials.issue("hank", null, System.currentTimeMillis() / 1000);
      TurnCredential expired = credentials.issue("hank", null, System.currentTimeMillis() / 1000 - 3600);
      TurnCredential otherSecret = new TurnCredentials(List.of("other"), Duration.ofMinutes(10))
          .issue("hank", null, System.currentTimeMillis() / 1000);
      for (TurnCredential bad : List.of(new TurnCredential(good.username(), "wrong", 600), expired, otherSecret)) {
        try (TurnTestClient client = new TurnTestClient(port, bad.username(), bad.password())) {
          assertEquals(401, TurnTestClient.errorCode(client.request(MessageFactory.createAllocateRequest((byte) 17, false))));
        }
      }
      assertEquals(0, node.node().metrics().registry().get("switchboard.turn.allocations.active").gauge().value());
      assertEquals(3, node.node().metrics().registry().get("switchboard.turn.auth.failures").functionCounter().count());
    }
  }

  @Test
  void allocation_rules_mismatch_transport_lifetime_and_deletion(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of()); TurnTestClient client = client(node, "ivy")) {
      assertEquals(437, TurnTestClient.errorCode(client.refresh(600)), "no allocation yet");
      assertEquals(442, TurnTestClient.errorCode(client.request(MessageFactory.createAllocateRequest((byte) 6, false))),
          "only UDP relays");
      client.allocate();
      assertEquals(437, TurnTestClient.errorCode(client.request(MessageFactory.createAllocateRequest((byte) 17, false))),
          "a second allocation on the same 5-tuple");
      Message longer = client.refresh(100_000);
      assertEquals(3600, ((LifetimeAttribute) longer.getAttribute(Attribute.LIFETIME)).getLifetime(), "capped at 3600 s");
      Message deleted = client.refresh(0);
      assertTrue(TurnTestClient.success(deleted));
      assertEquals(437, TurnTestClient.errorCode(client.createPermission(new InetSocketAddress("127.0.0.1", 1))));
    }
  }

  @Test
  void a_malformed_request_gets_400_and_garbage_is_dropped_without_harm(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of()); TurnTestClient client = client(node, "jo")) {
      byte[] broken = new byte[28];
      broken[1] = 0x03; // Allocate request
      broken[3] = 8;
      java.nio.ByteBuffer.wrap(broken).putInt(4, StunWire.MAGIC_COOKIE);
      broken[20] = 0x00;
      broken[21] = 0x19; // REQUESTED-TRANSPORT claiming 200 bytes
      broken[22] = 0x00;
      broken[23] = (byte) 200;
      client.sendRaw(broken);
      byte[] raw = client.receiveRaw();
      Message answer = Message.decode(raw, 0, raw.length);
      assertEquals(400, TurnTestClient.errorCode(answer));
      client.sendRaw("definitely not stun".getBytes(StandardCharsets.UTF_8));
      client.sendRaw(new byte[] {0x40, 0x00, 0x00, 0x10}); // ChannelData without allocation
      client.allocate(); // still serving
    }
  }

  @Test
  void an_ipv6_relay_is_allocated_when_the_client_asks_for_that_family(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of("SWITCHBOARD_TURN_RELAY_IPV6", "::1"));
         TurnTestClient client = client(node, "kim")) {
      org.ice4j.message.Request ipv6 = MessageFactory.createAllocateRequest((byte) 17, false);
      ipv6.putAttribute(org.ice4j.attribute.AttributeFactory.createRequestedAddressFamilyAttribute(
          org.ice4j.attribute.RequestedAddressFamilyAttribute.IPv6));
      Message response = client.request(ipv6);
      assertTrue(TurnTestClient.success(response), "error " + TurnTestClient.errorCode(response));
      TransportAddress relayed = ((org.ice4j.attribute.XorRelayedAddressAttribute) response
          .getAttribute(Attribute.XOR_RELAYED_ADDRESS)).getAddress(response.getTransactionID());
      assertEquals(InetAddress.getByName("::1"), relayed.getAddress());
    }
    try (TestNode node = node(vertx, Map.of()); TurnTestClient client = client(node, "lee")) {
      org.ice4j.message.Request ipv6 = MessageFactory.createAllocateRequest((byte) 17, false);
      ipv6.putAttribute(org.ice4j.attribute.AttributeFactory.createRequestedAddressFamilyAttribute(
          org.ice4j.attribute.RequestedAddressFamilyAttribute.IPv6));
      assertEquals(440, TurnTestClient.errorCode(client.request(ipv6)), "no IPv6 relay configured");
    }
  }

  @Test
  void static_users_from_config_can_allocate(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of("SWITCHBOARD_TURN_STATIC_USERS", "kiosk:long-password"));
         TurnTestClient kiosk = new TurnTestClient(node.node().turnPort(), "kiosk", "long-password");
         TurnTestClient impostor = new TurnTestClient(node.node().turnPort(), "kiosk", "guess")) {
      kiosk.allocate();
      assertEquals(401, TurnTestClient.errorCode(impostor.request(MessageFactory.createAllocateRequest((byte) 17, false))));
    }
  }

  @Test
  void the_bandwidth_cap_drops_what_exceeds_it(Vertx vertx) throws Exception {
    try (TestNode node = node(vertx, Map.of("SWITCHBOARD_TURN_BANDWIDTH_BYTES_PER_SECOND", "2000"));
         TurnTestClient client = client(node, "max"); DatagramSocket peer = peer()) {
      client.allocate();
      assertTrue(TurnTestClient.success(client.channelBind(0x4000, address(peer))));
      for (int i = 0; i < 10; i++) {
        client.sendChannelData(0x4000, new byte[500]);
      }
      int received = 0;
      peer.setSoTimeout(500);
      while (!receivesNothing(peer)) {
        received++;
      }
      assertTrue(received >= 3 && received <= 5, "2000 B/s lets about 4 x 500 B through at once, got " + received);
    }
  }

  private static boolean receivesNothing(DatagramSocket socket) throws Exception {
    try {
      socket.receive(new DatagramPacket(new byte[1500], 1500));
      return false;
    } catch (java.net.SocketTimeoutException expected) {
      return true;
    }
  }

  private static boolean receivesNothing(TurnTestClient client) throws Exception {
    try {
      client.receiveRaw();
      return false;
    } catch (java.net.SocketTimeoutException expected) {
      return true;
    }
  }
}

package dev.switchboard.turn;

import static dev.switchboard.turn.SpecRelays.address;
import static dev.switchboard.turn.SpecRelays.received;

import dev.switchboard.support.FakeClock;
import dev.switchboard.support.TurnTestClient;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which peers a client reaches through its allocation: a permission for every XOR-PEER-ADDRESS of a
 * CreatePermission (RFC 8656 §9), one well-formed peer per ChannelBind (§11), and nothing relayed past a
 * permission's lifetime. Several of these were found by the fuzz targets (FUZZING.md).
 */
@Timeout(30)
class TurnPermissionSpecTest {
  private final FakeClock clock = FakeClock.now();
  private final TurnCredentials credentials = new TurnCredentials(List.of("permission-secret"), Duration.ofHours(1));
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private <T extends AutoCloseable> T opened(T closeable) {
    open.add(closeable);
    return closeable;
  }

  /** A server that admits loopback peers, and an allocated UDP client of it. */
  private TurnTestClient allocatedClient() throws Exception {
    TurnServer server = opened(SpecRelays.start(credentials, clock, SpecRelays.Options.defaults()));
    TurnCredential credential = credentials.issue("permissions", null, clock.epochSeconds());
    TurnTestClient client = opened(new TurnTestClient(server.port(), credential.username(), credential.password()));
    client.allocate();
    return client;
  }

  private DatagramSocket peer(String ip) throws Exception {
    DatagramSocket peer = opened(new DatagramSocket(0, InetAddress.getByName(ip)));
    peer.setSoTimeout(300);
    return peer;
  }

  private static Request channelBind(int channel, InetSocketAddress peer) throws Exception {
    byte[] transaction = new byte[12];
    new java.security.SecureRandom().nextBytes(transaction);
    Request request = MessageFactory.createChannelBindRequest((char) channel,
        new TransportAddress(peer, Transport.UDP), transaction);
    request.setTransactionID(transaction);
    return request;
  }

  /** The encoded request with another XOR-PEER-ADDRESS appended, its length field set. */
  private static byte[] withPeer(byte[] encoded, InetSocketAddress peer) {
    byte[] attribute = AttributeFactory.createXorPeerAddressAttribute(new TransportAddress(peer, Transport.UDP),
        Arrays.copyOfRange(encoded, 8, 20)).encode();
    byte[] out = Arrays.copyOf(encoded, encoded.length + attribute.length);
    System.arraycopy(attribute, 0, out, encoded.length, attribute.length);
    out[2] = (byte) ((out.length - StunWire.HEADER) >> 8);
    out[3] = (byte) (out.length - StunWire.HEADER);
    return out;
  }

  // ---- CreatePermission ---------------------------------------------------------------------------

  @Test
  void create_permission_installs_every_peer_address() throws Exception {
    TurnTestClient client = allocatedClient();
    // permissions are per IP address (RFC 8656 §9): three peers on three addresses
    List<DatagramSocket> peers = List.of(peer("127.0.0.2"), peer("127.0.0.3"), peer("127.0.0.4"));
    Message answer = client.createPermission(peers.stream().map(SpecRelays::address).toList());
    assertTrue(TurnTestClient.success(answer), "error " + TurnTestClient.errorCode(answer));
    for (DatagramSocket peer : peers) {
      client.sendIndication(address(peer), "hello".getBytes(StandardCharsets.UTF_8));
      byte[] got = received(peer);
      assertEquals("hello", got == null ? null : new String(got, StandardCharsets.UTF_8),
          "relayed to " + address(peer) + ", the peer of one of the three XOR-PEER-ADDRESS attributes");
    }
  }

  @Test
  void create_permission_with_one_refused_peer_answers_403_and_installs_none() throws Exception {
    TurnTestClient client = allocatedClient();
    DatagramSocket allowed = peer("127.0.0.2");
    // 10.0.0.1 is on the deny-list (the spec server admits 127.0.0.0/8 only); the allowed peer comes last
    Message answer = client.createPermission(List.of(new InetSocketAddress("10.0.0.1", 5000), address(allowed)));
    assertEquals(403, TurnTestClient.errorCode(answer), "the whole request is refused");
    client.sendIndication(address(allowed), "leak".getBytes(StandardCharsets.UTF_8));
    assertNull(received(allowed), "no permission was installed for the allowed peer either");
  }

  // ---- ChannelBind ------------------------------------------------------------------------------

  @Test
  void a_channel_bind_whose_peer_address_family_is_neither_ipv4_nor_ipv6_gets_400() throws Exception {
    TurnTestClient client = allocatedClient();
    DatagramSocket peer = peer("127.0.0.2");
    // the fuzzer's finding: family 0x31 was read as IPv4 and the channel bound to whatever the bytes said
    Message answer = client.request(channelBind(0x4000, address(peer)), bytes -> {
      bytes[StunWire.find(bytes, StunWire.ATTR_XOR_PEER_ADDRESS) + 5] = 0x31;
      return bytes;
    });
    assertEquals(400, TurnTestClient.errorCode(answer));
    client.sendChannelData(0x4000, "nothing bound".getBytes(StandardCharsets.UTF_8));
    assertNull(received(peer), "no channel was bound");
  }

  @Test
  void a_channel_bind_with_two_peer_addresses_gets_400() throws Exception {
    TurnTestClient client = allocatedClient();
    DatagramSocket first = peer("127.0.0.2");
    DatagramSocket second = peer("127.0.0.3");
    // one channel, one peer (RFC 8656 §11): which of two was meant is anybody's guess
    Message answer = client.request(channelBind(0x4000, address(first)), bytes -> withPeer(bytes, address(second)));
    assertEquals(400, TurnTestClient.errorCode(answer));
    client.sendChannelData(0x4000, "nothing bound".getBytes(StandardCharsets.UTF_8));
    assertNull(received(first), "no channel was bound to the first peer");
    assertNull(received(second), "nor to the second");
  }

  // ---- lifetimes --------------------------------------------------------------------------------

  @Test
  void channel_data_is_not_relayed_once_the_peers_permission_ran_out_though_the_channel_lives_on() throws Exception {
    TurnTestClient client = allocatedClient();
    DatagramSocket peer = peer("127.0.0.2");
    assertTrue(TurnTestClient.success(client.channelBind(0x4000, address(peer))));
    // a channel lasts 10 minutes, the permission it installed 5 (RFC 8656 §12): after 5, nothing may pass
    clock.advance(Duration.ofSeconds(301));
    client.sendChannelData(0x4000, "lapsed".getBytes(StandardCharsets.UTF_8));
    byte[] leaked = received(peer);
    assertEquals(null, leaked == null ? null : new String(leaked, StandardCharsets.UTF_8),
        "relayed to a peer without a permission (the fuzzer's finding)");
    assertTrue(TurnTestClient.success(client.channelBind(0x4000, address(peer))), "a refresh renews both");
    client.sendChannelData(0x4000, "renewed".getBytes(StandardCharsets.UTF_8));
    assertEquals("renewed", new String(received(peer), StandardCharsets.UTF_8));
  }
}

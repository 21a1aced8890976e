package dev.switchboard.turn;

import static dev.switchboard.turn.SpecRelays.address;
import static dev.switchboard.turn.SpecRelays.awaitReceived;
import static dev.switchboard.turn.SpecRelays.received;

import dev.switchboard.support.FakeClock;
import dev.switchboard.support.TurnTestClient;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.ReservationTokenAttribute;
import org.ice4j.attribute.XorPeerAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay's correctness rules on the wire, against a {@link TurnServer} built directly (no Vert.x, no node) on
 * a fake clock, so lifetimes can run out without waiting.
 */
@Timeout(30)
class TurnServerSpecTest {
  private static final String SECRET = "spec-secret";
  private final FakeClock clock = FakeClock.now();
  /** An hour, so credentials outlive every lifetime these specs run out. */
  private final TurnCredentials credentials = new TurnCredentials(List.of(SECRET), Duration.ofHours(1));
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  private TurnServer server(SpecRelays.Options options) throws Exception {
    return opened(SpecRelays.start(credentials, clock, options.withIo(io())));
  }

  /** The UDP engine under test: the platform's default here, NIO in {@link TurnServerSpecNioTest}. */
  String io() {
    return "auto";
  }

  private TurnServer server() throws Exception {
    return server(SpecRelays.Options.defaults());
  }

  private <T extends AutoCloseable> T opened(T closeable) {
    open.add(closeable);
    return closeable;
  }

  private TurnTestClient udp(TurnServer server, String peerId, int localPort) throws Exception {
    TurnCredential credential = credentials.issue(peerId, null, clock.epochSeconds());
    return opened(new TurnTestClient(server.port(), credential.username(), credential.password(), localPort));
  }

  private TurnTestClient tcp(TurnServer server, String peerId) throws Exception {
    TurnCredential credential = credentials.issue(peerId, null, clock.epochSeconds());
    return opened(TurnTestClient.tcp(server.port(), credential.username(), credential.password()));
  }

  private DatagramSocket peer() throws Exception {
    DatagramSocket peer = opened(new DatagramSocket(0, InetAddress.getByName("127.0.0.1")));
    peer.setSoTimeout(500);
    return peer;
  }

  // ---- the media node's exception to the deny-list ---------------------------------------------

  @Test
  void the_media_node_is_relayed_to_and_from_but_no_other_port_on_its_denied_address() throws Exception {
    DatagramSocket mediaNode = peer();
    DatagramSocket neighbour = peer(); // another service on the same (loopback) address
    PeerPolicy denyLoopback = new PeerPolicy(List.of(), List.of(InetAddress.getByName("127.0.0.1")))
        .admitting(address(mediaNode));
    TurnServer server = server(SpecRelays.Options.defaults().withPolicy(denyLoopback));
    TurnTestClient client = udp(server, "caller", 0);
    InetSocketAddress relay = client.allocate();
    assertTrue(TurnTestClient.success(client.createPermission(address(mediaNode))));
    assertEquals(403, TurnTestClient.errorCode(client.createPermission(address(neighbour))));
    assertEquals(403, TurnTestClient.errorCode(client.channelBind(0x4000, address(neighbour))));
    // the media node's permission is for its IP, which the neighbour shares: it must still not pass
    client.sendIndication(address(neighbour), "to the neighbour".getBytes(StandardCharsets.UTF_8));
    client.sendIndication(address(mediaNode), "to the media node".getBytes(StandardCharsets.UTF_8));
    assertEquals("to the media node", new String(awaitReceived(mediaNode), StandardCharsets.UTF_8));
    assertEquals(null, received(neighbour), "nothing relayed to another port of the media node's address");
    byte[] fromNeighbour = "from the neighbour".getBytes(StandardCharsets.UTF_8);
    neighbour.send(new DatagramPacket(fromNeighbour, fromNeighbour.length, relay));
    byte[] fromMediaNode = "from the media node".getBytes(StandardCharsets.UTF_8);
    mediaNode.send(new DatagramPacket(fromMediaNode, fromMediaNode.length, relay));
    byte[] data = client.receiveRaw();
    Message indication = Message.decode(data, 0, data.length);
    TransportAddress from = ((XorPeerAddressAttribute) indication.getAttribute(Attribute.XOR_PEER_ADDRESS))
        .getAddress(indication.getTransactionID());
    assertEquals(mediaNode.getLocalPort(), from.getPort(), "the first packet to reach the client is the media node's");
  }

  // ---- 5-tuples ---------------------------------------------------------------------------------

  @Test
  void the_udp_engine_is_epoll_on_linux_unless_nio_is_asked_for() throws Exception {
    assertEquals(io().equals("nio") ? "nio" : "epoll", server().udpEngine());
  }

  @Test
  void udp_from_a_tcp_clients_address_is_not_taken_for_its_allocation() throws Exception {
    TurnServer server = server();
    TurnTestClient overTcp = tcp(server, "tcp-client");
    DatagramSocket peer = peer();
    overTcp.allocate();
    assertTrue(TurnTestClient.success(overTcp.channelBind(0x4000, address(peer))));
    overTcp.sendChannelData(0x4000, "over tcp".getBytes(StandardCharsets.UTF_8));
    assertEquals("over tcp", new String(awaitReceived(peer), StandardCharsets.UTF_8), "the TCP client is relayed");

    // the same ip:port over UDP is another 5-tuple: its ChannelData must not ride the TCP allocation
    TurnTestClient sameAddressOverUdp = udp(server, "udp-client", overTcp.localPort());
    sameAddressOverUdp.sendChannelData(0x4000, "spoofed".getBytes(StandardCharsets.UTF_8));
    byte[] leaked = received(peer);
    assertEquals(null, leaked == null ? null : new String(leaked, StandardCharsets.UTF_8),
        "a UDP datagram from the TCP client's address reached its peer");
    // and it may hold an allocation of its own
    sameAddressOverUdp.allocate();
    assertEquals(2, server.allocationCount());
  }

  // ---- lifetimes --------------------------------------------------------------------------------

  @Test
  void a_refresh_or_channel_bind_after_the_lifetime_ran_out_gets_437_even_before_the_sweeper_ran() throws Exception {
    TurnServer server = server();
    TurnTestClient client = udp(server, "late", 0);
    DatagramSocket peer = peer();
    client.allocate();
    assertTrue(TurnTestClient.success(client.refresh(600)), "a refresh in time succeeds");
    clock.advance(Duration.ofSeconds(601));
    // a success reply would promise an allocation that the sweeper is free to end at any moment
    assertEquals(437, TurnTestClient.errorCode(client.channelBind(0x4000, address(peer))));
    assertEquals(437, TurnTestClient.errorCode(client.refresh(600)));
  }

  @Test
  void an_allocate_after_the_lifetime_ran_out_allocates_anew_even_before_the_sweeper_ran() throws Exception {
    TurnServer server = server();
    TurnTestClient retransmitting = udp(server, "retransmitting", 0);
    TurnTestClient fresh = udp(server, "fresh", 0);
    org.ice4j.message.Request allocate = MessageFactory.createAllocateRequest((byte) 17, false);
    assertTrue(TurnTestClient.success(retransmitting.request(allocate)));
    fresh.allocate();
    clock.advance(Duration.ofSeconds(601));
    // the fuzzer's finding: the Allocate's transaction id again, after expiry, got the old success (LIFETIME 0)
    Message again = retransmitting.request(allocate);
    assertTrue(TurnTestClient.success(again), "error " + TurnTestClient.errorCode(again));
    assertTrue(TurnTestClient.success(retransmitting.refresh(600)), "and the allocation it promised is alive");
    // a new transaction got 437, as if the allocation were still there
    Message anew = fresh.request(MessageFactory.createAllocateRequest((byte) 17, false));
    assertTrue(TurnTestClient.success(anew), "error " + TurnTestClient.errorCode(anew));
  }

  // ---- quotas and ports -------------------------------------------------------------------------

  @Test
  void an_even_port_reservation_counts_against_the_user_quota_until_it_expires() throws Exception {
    TurnServer server = server(SpecRelays.Options.defaults().withQuotas(2, 1000));
    TurnTestClient rtp = udp(server, "pair", 0);
    TurnTestClient other = udp(server, "pair", 0);
    Message reserved = rtp.allocateReservingNextPort();
    assertTrue(TurnTestClient.success(reserved), "error " + TurnTestClient.errorCode(reserved));
    assertNotNull(reserved.getAttribute(Attribute.RESERVATION_TOKEN), "the next port is reserved");
    // one allocation and one reservation: the quota of 2 is spent
    assertEquals(486, TurnTestClient.errorCode(other.request(MessageFactory.createAllocateRequest((byte) 17, false))));
    clock.advance(Duration.ofSeconds(31));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    Message retried;
    do {
      Thread.sleep(100);
      retried = other.request(MessageFactory.createAllocateRequest((byte) 17, false));
    } while (!TurnTestClient.success(retried) && System.nanoTime() < deadline);
    assertTrue(TurnTestClient.success(retried), "the expired reservation gave its quota back: "
        + TurnTestClient.errorCode(retried));
    byte[] token = ((ReservationTokenAttribute) reserved.getAttribute(Attribute.RESERVATION_TOKEN)).getReservationToken();
    TurnTestClient rtcp = udp(server, "third", 0);
    org.ice4j.message.Request withToken = MessageFactory.createAllocateRequest((byte) 17, false);
    withToken.putAttribute(org.ice4j.attribute.AttributeFactory.createReservationTokenAttribute(token));
    assertEquals(508, TurnTestClient.errorCode(rtcp.request(withToken)), "the token expired with its reservation");
  }

  @Test
  void allocates_racing_on_every_packet_thread_never_exceed_the_total_quota() throws Exception {
    TurnServer server = server(SpecRelays.Options.defaults().withQuotas(100, 3).withThreads(4));
    List<TurnTestClient> clients = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      TurnTestClient client = udp(server, "racer-" + i, 0);
      assertEquals(437, TurnTestClient.errorCode(client.refresh(600)), "signed in, nothing allocated yet");
      clock.advance(Duration.ofMillis(100)); // 401s are capped at 20 per source and second
      clients.add(client);
    }
    ExecutorService pool = Executors.newFixedThreadPool(clients.size());
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> outcomes = new ArrayList<>();
      for (TurnTestClient client : clients) {
        outcomes.add(pool.submit(() -> {
          go.await();
          return TurnTestClient.success(client.request(MessageFactory.createAllocateRequest((byte) 17, false)));
        }));
      }
      go.countDown();
      int granted = 0;
      for (Future<Boolean> outcome : outcomes) {
        granted += outcome.get(10, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertEquals(3, granted, "exactly the total quota is granted");
      assertEquals(3, server.allocationCount());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void a_full_relay_port_range_answers_508() throws Exception {
    int first = 61000 + new java.security.SecureRandom().nextInt(2000) * 2;
    // one port of the four is held by another process entirely
    opened(new DatagramSocket(new InetSocketAddress("127.0.0.1", first + 3)));
    TurnServer server = server(SpecRelays.Options.defaults().withPorts(first, first + 3));
    for (int i = 0; i < 3; i++) {
      udp(server, "filler-" + i, 0).allocate();
    }
    TurnTestClient late = udp(server, "late", 0);
    assertEquals(508, TurnTestClient.errorCode(late.request(MessageFactory.createAllocateRequest((byte) 17, false))));
    assertEquals(508, TurnTestClient.errorCode(late.request(MessageFactory.createAllocateRequest((byte) 17, false))));
  }

  // ---- amplification ----------------------------------------------------------------------------

  private static byte[] bindingRequest() {
    byte[] request = new byte[StunWire.HEADER];
    request[1] = 0x01;
    ByteBuffer.wrap(request).putInt(4, StunWire.MAGIC_COOKIE);
    byte[] transaction = new byte[12];
    new java.security.SecureRandom().nextBytes(transaction);
    System.arraycopy(transaction, 0, request, 8, 12);
    return request;
  }

  private static byte[] unknownMethodRequest() {
    byte[] request = bindingRequest();
    request[1] = 0x0A; // method 0x00A, a request: nothing this relay serves
    return request;
  }

  private DatagramSocket source(String ip) throws Exception {
    DatagramSocket socket = opened(new DatagramSocket(0, InetAddress.getByName(ip)));
    socket.setSoTimeout(300);
    return socket;
  }

  @Test
  void binding_and_400_answers_are_never_larger_than_twice_the_request() throws Exception {
    TurnServer server = server();
    DatagramSocket client = source("127.0.0.1");
    InetSocketAddress relay = new InetSocketAddress("127.0.0.1", server.port());
    for (byte[] request : List.of(bindingRequest(), unknownMethodRequest())) {
      client.send(new DatagramPacket(request, request.length, relay));
      byte[] answer = received(client);
      assertNotNull(answer, "answered");
      assertTrue(answer.length <= 2 * request.length, answer.length + " bytes for a " + request.length + "-byte request");
    }
    byte[] binding = bindingRequest();
    client.send(new DatagramPacket(binding, binding.length, relay));
    byte[] answer = received(client);
    Message decoded = Message.decode(answer, 0, answer.length);
    assertNotNull(decoded.getAttribute(Attribute.XOR_MAPPED_ADDRESS), "a Binding answer still says where the client is");
  }

  @Test
  void binding_and_400_answers_are_rate_limited_per_source_address() throws Exception {
    TurnServer server = server();
    InetSocketAddress relay = new InetSocketAddress("127.0.0.1", server.port());
    DatagramSocket flooder = source("127.0.0.1");
    for (int i = 0; i < 60; i++) {
      byte[] request = i % 2 == 0 ? bindingRequest() : unknownMethodRequest();
      flooder.send(new DatagramPacket(request, request.length, relay));
    }
    int answers = 0;
    while (received(flooder) != null) {
      answers++;
    }
    assertTrue(answers >= 1 && answers <= 20, answers + " answers to 60 requests in one second");
    DatagramSocket bystander = source("127.0.0.2");
    byte[] request = bindingRequest();
    bystander.send(new DatagramPacket(request, request.length, relay));
    assertNotNull(awaitReceived(bystander), "another source address has its own budget");
  }

  /** An Allocate whose last attribute is a FINGERPRINT with a correct CRC but a length field of 255. */
  private static byte[] allocateWithOverlongFingerprint() {
    byte[] msg = new byte[StunWire.HEADER + 8 + 8];
    ByteBuffer b = ByteBuffer.wrap(msg);
    b.putShort(0, (short) 0x0003).putShort(2, (short) 16).putInt(4, StunWire.MAGIC_COOKIE);
    b.putShort(20, (short) 0x0019).putShort(22, (short) 4).put(24, (byte) 17); // REQUESTED-TRANSPORT UDP
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(msg, 0, 28);
    b.putShort(28, (short) StunWire.ATTR_FINGERPRINT).putShort(30, (short) 255)
        .putInt(32, (int) crc.getValue() ^ 0x5354554e);
    return msg;
  }

  @Test
  void an_attribute_whose_length_runs_past_the_message_gets_400_and_costs_a_tcp_client_nothing() throws Exception {
    TurnServer server = server();
    TurnTestClient client = tcp(server, "careless");
    DatagramSocket peer = peer();
    client.allocate();
    assertTrue(TurnTestClient.success(client.channelBind(0x4000, address(peer))));
    client.sendRaw(allocateWithOverlongFingerprint());
    byte[] raw = client.receiveRaw();
    assertEquals(400, TurnTestClient.errorCode(Message.decode(raw, 0, raw.length)));
    client.sendChannelData(0x4000, "still here".getBytes(StandardCharsets.UTF_8));
    assertEquals("still here", new String(awaitReceived(peer), StandardCharsets.UTF_8), "connection and allocation kept");
  }
}

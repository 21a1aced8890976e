package dev.switchboard.media.node;

import dev.switchboard.Main;
import dev.switchboard.cluster.ClusterSupport;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.media.client.MediaClient;
import dev.switchboard.media.client.Vp8Publisher;
import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.JavaProcess;
import dev.switchboard.support.RedisProcess;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import dev.switchboard.support.Wait;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes clustered with Hazelcast over loopback, rooms in a real redis-server, each with its own media node
 * (docs/media-node.md, Cluster): a room's media lives on one node, participants whose socket is on the other
 * negotiate with it over the clustered event bus, and when that node goes the room's media moves to the survivor.
 * The clients are the media kit (ICE, DTLS, SRTP over loopback UDP), negotiating over {@code room:<id>}.
 * The nodes that go away are the last two specs'.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MediaClusterTest {
  private static RedisProcess redis;
  private static Vertx bootstrap;
  private static Vertx vertxA;
  private static Vertx vertxB;
  private static TestNode nodeA;
  private static TestNode nodeB;
  private static int mediaPortA;
  private static int mediaPortB;
  private static int hazelcastPortB;

  @BeforeAll
  static void startCluster() throws Exception {
    redis = RedisProcess.start();
    bootstrap = Vertx.vertx();
    int hazelcastA = TestNode.freePort();
    int hazelcastB = TestNode.freePort();
    hazelcastPortB = hazelcastB;
    mediaPortA = freeUdpPort();
    mediaPortB = freeUdpPort();
    Map<String, String> envA = env(hazelcastA, hazelcastB, mediaPortA);
    Map<String, String> envB = env(hazelcastB, hazelcastA, mediaPortB);
    vertxA = clustered(envA);
    vertxB = clustered(envB);
    nodeA = TestNode.start(vertxA, envA);
    nodeB = TestNode.start(vertxB, envB);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    for (Vertx vertx : new Vertx[] {vertxB, vertxA, bootstrap}) {
      if (vertx != null) {
        vertx.close().await(20, java.util.concurrent.TimeUnit.SECONDS); // a second close is harmless
      }
    }
    redis.close();
  }

  private static Map<String, String> env(int hazelcastPort, int otherHazelcastPort, int mediaPort) {
    Map<String, String> env = new HashMap<>();
    env.put("SWITCHBOARD_CLUSTER_ENABLED", "true");
    env.put("SWITCHBOARD_CLUSTER_HOST", "127.0.0.1");
    env.put("SWITCHBOARD_CLUSTER_PORT", String.valueOf(hazelcastPort));
    env.put("SWITCHBOARD_CLUSTER_MEMBERS", "127.0.0.1:" + otherHazelcastPort);
    env.put("SWITCHBOARD_REDIS_URL", redis.url());
    env.put("SWITCHBOARD_TURN_RELAY_ENABLED", "false");
    env.put("SWITCHBOARD_MEDIA_ENABLED", "true");
    env.put("SWITCHBOARD_MEDIA_PORT", String.valueOf(mediaPort));
    return env;
  }

  private static Vertx clustered(Map<String, String> env) {
    SwitchboardConfig config = on(ConfigLoader.load(bootstrap, ConfigLoader.DEFAULT_FILE, env), 10);
    return on(ClusterSupport.start(Vertx.builder().with(ClusterSupport.options(new VertxOptions(), config.cluster())),
        config.cluster()), 60);
  }

  private static int freeUdpPort() throws Exception {
    try (DatagramSocket socket = new DatagramSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A participant: its socket on one node, its media kit wherever the room's media node is. */
  private record Participant(TestClient socket, String room, MediaClient kit) {
    String offer(String sdp) {
      JsonObject reply = socket.push(socket.joinRef("room:" + room), "room:" + room, "media:offer",
          new JsonObject().put("sdp", sdp));
      assertEquals("ok", reply.getString("status"), reply.encode());
      return reply.getJsonObject("response").getString("sdp");
    }

    void connect(String answer) throws Exception {
      kit.connect(ClientSdp.candidate(answer), ClientSdp.ufrag(answer), ClientSdp.pwd(answer),
          ClientSdp.fingerprint(answer), Duration.ofSeconds(10));
    }

    /** Answers every node offer from the {@code from}-th on until none came for a second; how many there were. */
    int answerNodeOffers(int from) throws Exception {
      int answered = from;
      long quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < quietUntil) {
        List<JsonArray> offers = socket.history(TestClient.event("room:" + room, "media:offer"));
        if (offers.size() > answered) {
          String next = offers.get(answered++).getJsonObject(4).getString("sdp");
          JsonObject ok = socket.push(socket.joinRef("room:" + room), "room:" + room, "media:answer",
              new JsonObject().put("sdp", ClientSdp.answer(next, kit)));
          assertEquals("ok", ok.getString("status"), ok.encode());
          quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        }
        Thread.sleep(20);
      }
      return answered;
    }
  }

  /** The publisher sends VP8 until the viewer got {@code want} video packets (or 15 s passed); how many it got. */
  private static int videoThrough(MediaClient publisher, MediaClient viewer, int want) throws Exception {
    Vp8Publisher camera = new Vp8Publisher(ClientSdp.VIDEO_SSRC, ClientSdp.VP8, 15, 300_000, 15);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    int video = 0;
    while (video < want && System.nanoTime() < deadline) {
      camera.sendFrame(publisher::sendRtp);
      MediaClient.Received packet;
      while ((packet = viewer.poll(Duration.ofMillis(60))) != null) {
        if (!packet.rtcp()) {
          video++;
        }
      }
    }
    return video;
  }

  @Test
  @Order(1)
  void a_viewer_whose_socket_is_on_another_node_negotiates_with_the_rooms_media_node_and_gets_its_video()
      throws Exception {
    try (TestClient aliceSocket = nodeA.connect(); TestClient bobSocket = nodeB.connect();
         MediaClient aliceKit = new MediaClient(); MediaClient bobKit = new MediaClient()) {
      Participant alice = new Participant(aliceSocket, "span", aliceKit);
      Participant bob = new Participant(bobSocket, "span", bobKit);
      aliceSocket.enter("span");
      bobSocket.enter("span");
      // alice's media request is the room's first: the room's media lives on her node, A
      String aliceAnswer = alice.offer(ClientSdp.offer(aliceKit));
      assertEquals(mediaPortA, ClientSdp.candidate(aliceAnswer).getPort(), aliceAnswer);
      alice.connect(aliceAnswer);
      // bob's socket is on B; node B sends his offer to A, whose address is in the answer
      String bobAnswer = bob.offer(ClientSdp.receiveOnlyOffer(bobKit));
      assertEquals(mediaPortA, ClientSdp.candidate(bobAnswer).getPort(), "A's media address: " + bobAnswer);
      bob.connect(bobAnswer);
      // A's offer of alice's tracks crosses to bob's socket on B (he learns her tracks from it: he came later)
      String nodeOffer = bobSocket.awaitEvent("room:span", "media:offer").getJsonObject(4).getString("sdp");
      assertTrue(nodeOffer.contains("a=msid:" + aliceSocket.peerId() + " "), "alice's tracks offered to bob");
      assertEquals(mediaPortA, ClientSdp.candidate(nodeOffer).getPort());
      assertTrue(bob.answerNodeOffers(0) >= 1, "bob answered A's offers");

      int video = videoThrough(aliceKit, bobKit, 20);
      assertTrue(video >= 20, "bob (socket on B) received " + video + " video packets through A");

      aliceSocket.push(aliceSocket.joinRef("room:span"), "room:span", "phx_leave", new JsonObject());
      assertEquals(aliceSocket.peerId(), bobSocket.awaitEvent("room:span", "track:unpublished").getJsonObject(4)
          .getString("peer_id"), "her departure from A's socket unpublishes on A and reaches bob on B");
    }
  }

  @Test
  @Order(2)
  void first_media_requests_racing_on_both_nodes_end_with_one_media_node_for_the_room() throws Exception {
    for (int round = 0; round < 6; round++) {
      String room = "race" + round;
      try (TestClient onA = nodeA.connect(); TestClient onB = nodeB.connect();
           MediaClient kitA = new MediaClient(); MediaClient kitB = new MediaClient()) {
        onA.enter(room);
        onB.enter(room);
        String offerA = ClientSdp.offer(kitA, 11, 12, 13);
        String offerB = ClientSdp.offer(kitB, 21, 22, 23);
        CompletableFuture<String> answerA = CompletableFuture.supplyAsync(
            () -> new Participant(onA, room, kitA).offer(offerA));
        CompletableFuture<String> answerB = CompletableFuture.supplyAsync(
            () -> new Participant(onB, room, kitB).offer(offerB));
        Set<Integer> ports = List.of(answerA.get(), answerB.get()).stream()
            .map(answer -> ClientSdp.candidate(answer).getPort()).collect(Collectors.toSet());
        assertEquals(1, ports.size(), "one media node for " + room + ": " + ports);
        assertTrue(Set.of(mediaPortA, mediaPortB).containsAll(ports), String.valueOf(ports));
      }
    }
  }

  @Test
  @Order(3)
  void when_the_rooms_media_node_goes_its_survivors_are_reset_and_renegotiate_with_the_survivor_node()
      throws Exception {
    try (TestClient carolSocket = nodeA.connect(); TestClient aliceSocket = nodeB.connect();
         TestClient bobSocket = nodeB.connect(); MediaClient carolKit = new MediaClient();
         MediaClient aliceKit = new MediaClient(); MediaClient bobKit = new MediaClient()) {
      Participant carol = new Participant(carolSocket, "fail", carolKit);
      Participant alice = new Participant(aliceSocket, "fail", aliceKit);
      Participant bob = new Participant(bobSocket, "fail", bobKit);
      carolSocket.enter("fail");
      aliceSocket.enter("fail");
      bobSocket.enter("fail");
      // carol on A asks first: the room's media lives on A; alice and bob, on B, negotiate with A
      assertEquals(mediaPortA, ClientSdp.candidate(carol.offer(ClientSdp.receiveOnlyOffer(carolKit))).getPort());
      String aliceAnswer = alice.offer(ClientSdp.offer(aliceKit));
      assertEquals(mediaPortA, ClientSdp.candidate(aliceAnswer).getPort());
      alice.connect(aliceAnswer);
      String bobAnswer = bob.offer(ClientSdp.receiveOnlyOffer(bobKit));
      assertEquals(mediaPortA, ClientSdp.candidate(bobAnswer).getPort());
      bob.connect(bobAnswer);
      int bobOffers = bob.answerNodeOffers(0);
      assertTrue(videoThrough(aliceKit, bobKit, 10) >= 10, "media flows through A before it goes");

      on(vertxA.close(), 30); // node A leaves the cluster with the room's media node
      for (TestClient survivor : List.of(aliceSocket, bobSocket)) {
        JsonArray reset = survivor.await(TestClient.event("room:fail", "media:reset"), "media:reset",
            Duration.ofSeconds(15));
        assertEquals("media_node_lost", reset.getJsonObject(4).getString("reason"));
      }

      // each survivor starts over (an ICE restart: new credentials, here a fresh kit), and B takes the room over
      try (MediaClient aliceAgain = new MediaClient(); MediaClient bobAgain = new MediaClient()) {
        Participant alice2 = new Participant(aliceSocket, "fail", aliceAgain);
        Participant bob2 = new Participant(bobSocket, "fail", bobAgain);
        String aliceRestart = alice2.offer(ClientSdp.offer(aliceAgain));
        assertEquals(mediaPortB, ClientSdp.candidate(aliceRestart).getPort(), "B's media address: " + aliceRestart);
        alice2.connect(aliceRestart);
        String bobRestart = bob2.offer(ClientSdp.receiveOnlyOffer(bobAgain));
        assertEquals(mediaPortB, ClientSdp.candidate(bobRestart).getPort());
        bob2.connect(bobRestart);
        assertTrue(bob2.answerNodeOffers(bobOffers) > bobOffers, "B offered bob alice's tracks anew");
        int video = videoThrough(aliceAgain, bobAgain, 20);
        assertTrue(video >= 20, "after the failover bob received " + video + " video packets through B");
      }
    }
  }

  /**
   * The crash case: the room's media node is another JVM, killed with SIGKILL (no goodbye). Until the cluster
   * drops it (its failure timeout) a request for the room is refused {@code media_unavailable}; then the
   * survivors are reset and renegotiate with B. Runs after A left: B and the killed node are the cluster.
   */
  @Test
  @Order(4)
  void when_the_rooms_media_node_crashes_requests_are_refused_until_the_cluster_drops_it_then_it_moves()
      throws Exception {
    int httpPort = TestNode.freePort();
    int mediaPort = freeUdpPort();
    Map<String, String> envX = env(TestNode.freePort(), hazelcastPortB, mediaPort);
    envX.putAll(Map.of("SWITCHBOARD_HTTP_HOST", "127.0.0.1", "SWITCHBOARD_HTTP_PORT", String.valueOf(httpPort),
        "SWITCHBOARD_METRICS_ENABLED", "false"));
    ProcessBuilder builder = new ProcessBuilder(JavaProcess.command(Main.class)).redirectErrorStream(true);
    builder.environment().putAll(envX);
    try (ExternalProcess crashing = ExternalProcess.start(builder)) { // its log drained all along
      crashing.awaitLine(line -> line.contains("is up"), "its banner", Duration.ofSeconds(90));
      try (TestClient carolSocket = TestClient.connect(vertxB, httpPort, "/socket/websocket?vsn=2.0.0", Map.of());
           TestClient aliceSocket = nodeB.connect(); TestClient bobSocket = nodeB.connect();
           MediaClient carolKit = new MediaClient(); MediaClient aliceKit = new MediaClient();
           MediaClient bobKit = new MediaClient()) {
        Participant carol = new Participant(carolSocket, "crash", carolKit);
        Participant alice = new Participant(aliceSocket, "crash", aliceKit);
        Participant bob = new Participant(bobSocket, "crash", bobKit);
        carolSocket.enter("crash");
        aliceSocket.enter("crash");
        bobSocket.enter("crash");
        assertEquals(mediaPort, ClientSdp.candidate(carol.offer(ClientSdp.receiveOnlyOffer(carolKit))).getPort(),
            "the room's media lives on the node that will crash");
        String aliceAnswer = alice.offer(ClientSdp.offer(aliceKit));
        assertEquals(mediaPort, ClientSdp.candidate(aliceAnswer).getPort());
        alice.connect(aliceAnswer);
        String bobAnswer = bob.offer(ClientSdp.receiveOnlyOffer(bobKit));
        bob.connect(bobAnswer);
        int bobOffers = bob.answerNodeOffers(0);
        assertTrue(videoThrough(aliceKit, bobKit, 10) >= 10, "media flows through the doomed node");

        crashing.kill();
        try (MediaClient aliceAgain = new MediaClient(); MediaClient bobAgain = new MediaClient()) {
          long sent = System.nanoTime();
          String ref = aliceSocket.nextRef();
          aliceSocket.send(aliceSocket.joinRef("room:crash"), ref, "room:crash", "media:offer",
              new JsonObject().put("sdp", ClientSdp.offer(aliceAgain)));
          JsonObject refused = aliceSocket.await(
              f -> "phx_reply".equals(f.getString(3)) && ref.equals(f.getString(1)), "the reply to the offer",
              Duration.ofSeconds(15)).getJsonObject(4);
          assertEquals("media_unavailable", refused.getJsonObject("response").getString("reason"),
              "the owner is still in the cluster view but does not answer: " + refused.encode());
          assertTrue(System.nanoTime() - sent < Duration.ofSeconds(9).toNanos(),
              "refused after the 5 s wait, not hung");
          for (TestClient survivor : List.of(aliceSocket, bobSocket)) {
            Wait.until(() -> survivor.count(TestClient.event("room:crash", "media:reset")) == 1,
                Duration.ofSeconds(20));
            assertEquals("media_node_lost", survivor.history(TestClient.event("room:crash", "media:reset")).get(0)
                .getJsonObject(4).getString("reason"));
          }
          Participant alice2 = new Participant(aliceSocket, "crash", aliceAgain);
          Participant bob2 = new Participant(bobSocket, "crash", bobAgain);
          String aliceRestart = alice2.offer(ClientSdp.offer(aliceAgain));
          assertEquals(mediaPortB, ClientSdp.candidate(aliceRestart).getPort(), "the survivor B took the room");
          alice2.connect(aliceRestart);
          String bobRestart = bob2.offer(ClientSdp.receiveOnlyOffer(bobAgain));
          assertEquals(mediaPortB, ClientSdp.candidate(bobRestart).getPort());
          bob2.connect(bobRestart);
          assertTrue(bob2.answerNodeOffers(bobOffers) > bobOffers, "B offered bob alice's tracks anew");
          int video = videoThrough(aliceAgain, bobAgain, 20);
          assertTrue(video >= 20, "after the crash bob received " + video + " video packets through B");
        }
      }
    }
  }
}

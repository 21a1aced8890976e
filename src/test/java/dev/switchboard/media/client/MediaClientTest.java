package dev.switchboard.media.client;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.switchboard.media.transport.NodeCertificate;
import dev.switchboard.media.transport.SrtpKeys;
import dev.switchboard.media.transport.SrtpProfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client kit against a loopback {@link EchoResponder} made of the node's own ICE, DTLS and SRTP pieces, so
 * the kit is known to work before the media node exists.
 */
@Timeout(30)
class MediaClientTest {
  private MediaClient client;
  private EchoResponder node;

  @AfterEach
  void closeEverything() throws Exception {
    if (client != null) {
      client.close();
    }
    if (node != null) {
      node.close();
    }
    assertNoKitThreads();
  }

  @ParameterizedTest
  @EnumSource(SrtpProfile.class)
  void connects_with_ice_and_dtls_and_100_vp8_packets_come_back_intact_and_in_order(SrtpProfile profile)
      throws Exception {
    client = new MediaClient().offer(profile);
    node = new EchoResponder(client.fingerprint());

    SrtpProfile negotiated = client.connect(node.address(), node.ufrag, node.pwd, node.fingerprint());

    assertEquals(profile, negotiated);
    SrtpKeys nodeKeys = node.keys.get(5, TimeUnit.SECONDS);
    assertEquals(profile, nodeKeys.profile());
    assertTrue(node.sawUseCandidate && node.sawControlling, "checks carry USE-CANDIDATE and ICE-CONTROLLING");

    Vp8Publisher video = new Vp8Publisher(0x1234_5678, 96, 30, 1_500_000, 10);
    List<Vp8Publisher.Packet> sent = new ArrayList<>();
    while (sent.size() < 100) {
      for (Vp8Publisher.Packet p : video.nextFrame()) {
        if (sent.size() < 100) {
          assertTrue(client.sendRtp(p.ssrc(), p.payloadType(), p.sequence(), p.timestamp(), p.marker(), p.payload()));
          sent.add(p);
        }
      }
      Thread.sleep(1); // a loopback socket buffer holds a few frames, not a second of video
    }

    ReceiverStats stats = new ReceiverStats();
    for (Vp8Publisher.Packet expected : sent) {
      MediaClient.Received received = client.poll(Duration.ofSeconds(5));
      assertNotNull(received, "echo of seq " + expected.sequence());
      assertFalse(received.rtcp());
      RtpHeader header = received.rtp();
      assertEquals(expected.sequence(), header.sequence(), "in order");
      assertEquals(expected.ssrc(), header.ssrc());
      assertEquals(expected.payloadType(), header.payloadType());
      assertEquals(expected.timestamp(), header.timestamp());
      assertEquals(expected.marker(), header.marker());
      byte[] payload = java.util.Arrays.copyOfRange(received.packet(), header.payloadOffset(),
          header.payloadOffset() + header.payloadLength());
      assertArrayEquals(expected.payload(), payload, "payload intact");
      long sendNanos = Vp8Publisher.sendNanos(payload, 0, payload.length);
      assertTrue(sendNanos > 0 && sendNanos <= received.receivedNanos(), "send time parses");
      stats.record(header.sequence(), sendNanos, received.receivedNanos());
    }
    assertEquals(100, stats.received());
    assertEquals(0, stats.lost());
    assertEquals(100, stats.latencySamples());
    assertTrue(stats.latencyQuantileNanos(0.5) < TimeUnit.SECONDS.toNanos(1));
    assertTrue(Vp8Publisher.isKeyframe(sent.get(0).payload(), 0, sent.get(0).payload().length));
    assertEquals(0, client.srtpFailures());
  }

  @Test
  void rtcp_and_opus_round_trip_too() throws Exception {
    client = new MediaClient();
    node = new EchoResponder(client.fingerprint());
    assertEquals(SrtpProfile.AEAD_AES_128_GCM, client.connect(node.address(), node.ufrag, node.pwd,
        node.fingerprint()));

    OpusPublisher audio = new OpusPublisher(42, 111, 32_000);
    audio.sendPacket(client::sendRtp);
    byte[] pli = {(byte) 0x81, (byte) 206, 0, 2, 0, 0, 0, 42, 0, 0, 0, 7}; // PSFB FMT 1 (PLI), RFC 4585 §6.3.1
    assertTrue(client.sendRtcp(pli));

    MediaClient.Received opus = client.poll(Duration.ofSeconds(5));
    RtpHeader header = opus.rtp();
    assertEquals(111, header.payloadType());
    assertTrue(header.marker(), "first packet of a talkspurt");
    assertEquals(80, header.payloadLength());
    assertTrue(OpusPublisher.sendNanos(opus.packet(), header.payloadOffset(), header.payloadLength()) > 0);
    MediaClient.Received rtcp = client.poll(Duration.ofSeconds(5));
    assertTrue(rtcp.rtcp());
    assertArrayEquals(pli, rtcp.packet());
  }

  @Test
  void a_node_certificate_other_than_the_announced_one_fails_connect_clearly() throws Exception {
    client = new MediaClient();
    node = new EchoResponder(client.fingerprint());
    String someoneElse = NodeCertificate.generate().fingerprint();

    MediaClient.FingerprintMismatchException e = assertThrows(MediaClient.FingerprintMismatchException.class,
        () -> client.connect(node.address(), node.ufrag, node.pwd, someoneElse, Duration.ofSeconds(5)));

    assertTrue(e.getMessage().contains(node.fingerprint()) && e.getMessage().contains(someoneElse), e.getMessage());
    assertEquals(null, client.profile());
  }

  @Test
  void a_wrong_ice_pwd_gets_no_valid_answer_and_connect_times_out() throws Exception {
    client = new MediaClient();
    node = new EchoResponder(client.fingerprint());

    SocketTimeoutException e = assertThrows(SocketTimeoutException.class,
        () -> client.connect(node.address(), node.ufrag, "not-the-node-password-at-all", node.fingerprint(),
            Duration.ofMillis(800)));

    assertTrue(node.checksRefused.get() > 0);
    assertEquals(0, node.checksAnswered.get());
    assertTrue(client.invalidStunResponses() > 0);
    assertTrue(e.getMessage().contains("not a Binding success"), e.getMessage());
  }

  @Test
  void consent_checks_keep_being_answered_after_connecting() throws Exception {
    client = new MediaClient().consentInterval(Duration.ofMillis(100));
    node = new EchoResponder(client.fingerprint());
    client.connect(node.address(), node.ufrag, node.pwd, node.fingerprint());
    long connectedAt = client.lastConsentNanos();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (client.lastConsentNanos() == connectedAt && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    assertTrue(client.lastConsentNanos() > connectedAt, "a later consent check was answered");
  }

  @Test
  void the_kits_sdp_identity_is_fresh_per_client() throws IOException {
    try (MediaClient a = new MediaClient(); MediaClient b = new MediaClient()) {
      assertFalse(a.ufrag().equals(b.ufrag()));
      assertTrue(a.pwd().length() >= 22, "RFC 8839: ice-pwd of at least 128 bits");
      assertTrue(a.fingerprint().startsWith("sha-256 "));
      assertEquals("127.0.0.1", a.localAddress().getAddress().getHostAddress());
    }
  }

  private static void assertNoKitThreads() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    while (true) {
      List<String> left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
          .filter(n -> n.startsWith("media-client-") || n.equals("echo-responder")).toList();
      if (left.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("threads left running: " + left);
      }
      Thread.sleep(20);
    }
  }
}

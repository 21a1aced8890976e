package dev.switchboard.media.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.bouncycastle.tls.TlsFatalAlert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class DtlsServerTest {
  private static final NodeCertificate NODE = NodeCertificate.generate();

  private DtlsServer server = new DtlsServer(NODE);
  private final SpecDtlsClient client = new SpecDtlsClient();
  private final Outcome outcome = new Outcome();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void a_client_offering_only_gcm_and_the_node_export_the_same_gcm_keys() throws Exception {
    DtlsSession session = server.open(client.fingerprint(), client.sink(), outcome);

    SrtpKeys clientKeys = client.connect(session, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);

    SrtpKeys nodeKeys = outcome.connected.get(5, TimeUnit.SECONDS);
    assertEquals(SrtpProfile.AEAD_AES_128_GCM, nodeKeys.profile());
    assertEquals(clientKeys, nodeKeys);
    assertEquals(nodeKeys, session.keys());
    assertTrue(session.isConnected());
    assertEquals(NODE.fingerprint(), NodeCertificate.fingerprintOf(client.nodeCertificate));
    assertTrue(outcome.thread.startsWith("dtls-handshake-"), "listener ran on " + outcome.thread);
  }

  @Test
  void a_client_offering_only_aes_cm_and_the_node_export_the_same_aes_cm_keys() throws Exception {
    DtlsSession session = server.open(client.fingerprint(), client.sink(), outcome);

    SrtpKeys clientKeys = client.connect(session, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80);

    SrtpKeys nodeKeys = outcome.connected.get(5, TimeUnit.SECONDS);
    assertEquals(SrtpProfile.AES_CM_128_HMAC_SHA1_80, nodeKeys.profile());
    assertEquals(clientKeys, nodeKeys);
  }

  @Test
  void the_node_picks_gcm_even_when_a_client_lists_aes_cm_first_as_chrome_does() throws Exception {
    DtlsSession session = server.open(client.fingerprint(), client.sink(), outcome);

    SrtpKeys clientKeys = client.connect(session, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80,
        SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);

    assertEquals(SrtpProfile.AEAD_AES_128_GCM, clientKeys.profile());
    assertEquals(clientKeys, outcome.connected.get(5, TimeUnit.SECONDS));
  }

  @Test
  void srtp_protected_by_the_client_with_its_exported_keys_is_read_by_the_node_with_its_own() throws Exception {
    DtlsSession session = server.open(client.fingerprint(), client.sink(), outcome);
    SrtpKeys clientKeys = client.connect(session, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);
    SrtpSession browser = SrtpSession.forClient(clientKeys);
    SrtpSession node = SrtpSession.forServer(outcome.connected.get(5, TimeUnit.SECONDS));
    byte[] packet = SrtpSessionTest.rtp(0x1234, 7, 100);
    byte[] wire = Arrays.copyOf(packet, packet.length + SrtpSession.RTP_ROOM);

    int protectedLength = browser.protectRtp(wire, 0, packet.length);
    int plainLength = node.unprotectRtp(wire, 0, protectedLength);

    assertEquals(packet.length, plainLength);
    assertArrayEquals(packet, Arrays.copyOf(wire, plainLength));
  }

  @Test
  void a_client_whose_certificate_is_not_the_one_in_its_sdp_is_refused_with_a_fatal_alert() throws Exception {
    String someoneElse = NodeCertificate.generate().fingerprint();
    DtlsSession session = server.open(someoneElse, client.sink(), outcome);

    assertThrows(IOException.class, () -> client.connect(session, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM));

    Throwable cause = outcome.failed.get(5, TimeUnit.SECONDS);
    assertInstanceOf(TlsFatalAlert.class, cause);
    assertEquals(AlertDescription.bad_certificate, ((TlsFatalAlert) cause).getAlertDescription());
    assertFalse(outcome.connected.isDone());
    assertFalse(session.isConnected());
    assertEquals(null, session.keys());
  }

  @Test
  void a_client_that_sends_no_certificate_is_refused() throws Exception {
    client.sendsCertificate = false;
    DtlsSession session = server.open(client.fingerprint(), client.sink(), outcome);

    assertThrows(IOException.class, () -> client.connect(session, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM));

    Throwable cause = outcome.failed.get(5, TimeUnit.SECONDS);
    assertInstanceOf(TlsFatalAlert.class, cause);
    assertEquals(AlertDescription.handshake_failure, ((TlsFatalAlert) cause).getAlertDescription());
    assertFalse(outcome.connected.isDone());
  }

  @Test
  void a_client_that_offers_no_srtp_profile_the_node_supports_is_refused() throws Exception {
    DtlsSession session = server.open(client.fingerprint(), client.sink(), outcome);

    assertThrows(IOException.class, () -> client.connect(session, SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_32));

    assertNotNull(outcome.failed.get(5, TimeUnit.SECONDS));
    assertFalse(outcome.connected.isDone());
  }

  @Test
  void a_client_that_stops_mid_handshake_fails_at_the_deadline_and_frees_its_pool_thread() throws Exception {
    server.close();
    server = new DtlsServer(NODE, DtlsServer.Settings.DEFAULTS.withHandshakeTimeout(Duration.ofSeconds(1)));
    DtlsSession session = server.open(client.fingerprint(), client.sink(), outcome);
    AtomicInteger sent = new AtomicInteger();
    client.loseToNode = datagram -> sent.incrementAndGet() > 1; // the ClientHello arrives, then silence
    client.handshakeTimeoutMillis = 3_000;
    long start = System.nanoTime();
    Thread browser = new Thread(() -> {
      try {
        client.connect(session, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);
      } catch (IOException expected) {
        // the stand-in gives up too
      }
    });
    browser.start();

    Throwable cause = outcome.failed.get(10, TimeUnit.SECONDS);
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

    assertNotNull(cause);
    assertTrue(elapsedMillis >= 900, "failed after " + elapsedMillis + " ms, before the 1 s deadline");
    assertTrue(elapsedMillis < 8_000, "failed only after " + elapsedMillis + " ms");
    assertEventually(() -> server.busyThreads() == 0, "the handshake thread is still busy");
    browser.join(10_000);
  }

  @Test
  void when_the_nodes_last_flight_is_lost_the_clients_retransmission_is_answered_and_both_connect()
      throws Exception {
    DtlsSession session = server.open(client.fingerprint(), client.sink(), outcome);
    AtomicInteger lost = new AtomicInteger();
    // The node's last flight: ChangeCipherSpec (type 20) and the epoch-1 Finished; lose both, once.
    client.loseFromNode = datagram -> {
      boolean lastFlight = datagram[0] == 20 || (datagram[0] == 22 && datagram[3] == 0 && datagram[4] == 1);
      return lastFlight && lost.getAndIncrement() < 2;
    };

    SrtpKeys clientKeys = client.connect(session, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);

    assertTrue(lost.get() >= 2, "the last flight was never lost");
    assertEquals(clientKeys, outcome.connected.get(5, TimeUnit.SECONDS));
  }

  @Test
  void hostile_bytes_into_receive_never_throw_and_a_genuine_client_still_connects_after_them() throws Exception {
    DtlsSession session = server.open(client.fingerprint(), client.sink(), outcome);
    byte[] some = new byte[40];
    session.receive(null, 0, 10);
    session.receive(some, -1, 5);
    session.receive(some, 5, 100);
    session.receive(some, 0, 0);
    session.receive(some, Integer.MAX_VALUE, Integer.MAX_VALUE);
    session.receive(new byte[100_000], 0, 100_000);
    Random random = new Random(7);
    for (int i = 0; i < 500; i++) {
      byte[] junk = new byte[1 + random.nextInt(300)];
      random.nextBytes(junk);
      junk[0] = (byte) (20 + random.nextInt(44)); // what the demultiplexer would call DTLS
      session.receive(junk, 0, junk.length);
    }
    assertTrue(session.droppedDatagrams() > 0);

    SrtpKeys clientKeys = client.connect(session, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);

    assertEquals(clientKeys, outcome.connected.get(5, TimeUnit.SECONDS));
    for (int i = 0; i < 200; i++) {
      byte[] junk = new byte[1 + random.nextInt(300)];
      random.nextBytes(junk);
      session.receive(junk, 0, junk.length);
    }
    session.close();
    session.receive(some, 0, some.length);
  }

  @Test
  void closing_a_connected_session_sends_close_notify() throws Exception {
    DtlsSession session = server.open(client.fingerprint(), client.sink(), outcome);
    client.connect(session, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);
    outcome.connected.get(5, TimeUnit.SECONDS);
    client.fromNode.clear();

    session.close();

    byte[] alert = client.fromNode.poll(5, TimeUnit.SECONDS);
    assertNotNull(alert, "no close_notify");
    assertEquals(21, alert[0]); // an alert record (encrypted, so only its type is visible)
    assertFalse(session.isConnected());
  }

  @Test
  void closing_a_session_mid_handshake_frees_its_pool_thread_without_a_callback() throws Exception {
    DtlsSession session = server.open(client.fingerprint(), client.sink(), outcome);
    AtomicInteger sent = new AtomicInteger();
    client.loseToNode = datagram -> sent.incrementAndGet() > 1;
    client.handshakeTimeoutMillis = 2_000;
    Thread browser = new Thread(() -> {
      try {
        client.connect(session, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM);
      } catch (IOException expected) {
        // the stand-in gives up
      }
    });
    browser.start();
    assertEventually(() -> server.busyThreads() == 1, "the handshake never started");

    session.close();

    assertEventually(() -> server.busyThreads() == 0, "the handshake thread is still busy");
    assertFalse(outcome.failed.isDone());
    assertFalse(outcome.connected.isDone());
    browser.join(10_000);
  }

  @Test
  void a_full_pool_queue_fails_new_handshakes_at_once_instead_of_waiting() throws Exception {
    server.close();
    server = new DtlsServer(NODE, new DtlsServer.Settings(1, 1, Duration.ofSeconds(2), 8));
    Outcome[] outcomes = new Outcome[3];
    for (int i = 0; i < outcomes.length; i++) {
      outcomes[i] = new Outcome();
      DtlsSession session = server.open(client.fingerprint(), client.sink(), outcomes[i]);
      session.receive(new byte[] {22, (byte) 0xfe, (byte) 0xfd}, 0, 3); // starts a handshake that waits
    }

    // one thread, one queued task: the third is refused on the spot
    assertNotNull(outcomes[2].failed.get(1, TimeUnit.SECONDS));
  }

  private static void assertEventually(java.util.function.BooleanSupplier condition, String message)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(message);
      }
      Thread.sleep(10);
    }
  }

  static final class Outcome implements DtlsSession.Listener {
    final CompletableFuture<SrtpKeys> connected = new CompletableFuture<>();
    final CompletableFuture<Throwable> failed = new CompletableFuture<>();
    volatile String thread = "";

    @Override
    public void connected(SrtpKeys keys) {
      thread = Thread.currentThread().getName();
      connected.complete(keys);
    }

    @Override
    public void failed(Throwable cause) {
      failed.complete(cause);
    }
  }
}

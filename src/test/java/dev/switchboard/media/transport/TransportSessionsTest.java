package dev.switchboard.media.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static dev.switchboard.media.transport.StunChecks.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransportSessionsTest {
  private static final IceCredentials LOCAL = new IceCredentials("LoCaLuF1", "localPasswordOf24chars+/");
  private static final IceCredentials REMOTE = new IceCredentials("rEmO", "remotePasswordOf24chars/");
  private static final InetSocketAddress BROWSER = new InetSocketAddress("192.0.2.10", 50000);
  private static final byte[] DTLS = {22, (byte) 0xfe, (byte) 0xfd, 0, 0};
  private static final byte[] RTP = {(byte) 0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7};
  private static final byte[] RTCP = {(byte) 0x81, (byte) 200, 0, 6, 0, 0, 0, 7};

  /** What the registry sent: destination and bytes. */
  private record Sent(InetSocketAddress to, byte[] bytes) {
  }

  private final AtomicLong now = new AtomicLong(5_000_000);
  private final List<Sent> sent = new ArrayList<>();
  private final DatagramSink sink = (to, buf, off, len) ->
      sent.add(new Sent(to, java.util.Arrays.copyOfRange(buf, off, off + len)));
  private final TransportSessions sessions =
      new TransportSessions(sink, now::get, new TransportSessions.Limits(3, 8, 50));
  private final RecordingHandler handler = new RecordingHandler();
  private final TransportSession session = sessions.register(LOCAL, REMOTE, handler);

  private void receive(InetSocketAddress from, byte[] datagram) {
    sessions.onDatagram(from, datagram, 0, datagram.length);
  }

  private static byte[] valid(boolean useCandidate) {
    return check(LOCAL.ufrag() + ":" + REMOTE.ufrag(), LOCAL.pwd(), useCandidate);
  }

  private static InetSocketAddress address(int port) {
    return new InetSocketAddress("192.0.2.10", port);
  }

  @Test
  @Timeout(5)
  void a_valid_check_from_an_unknown_address_binds_it_and_is_answered() {
    receive(BROWSER, valid(false));

    assertSame(session, sessions.boundTo(BROWSER));
    assertEquals(List.of(BROWSER), session.addresses());
    assertEquals(1, sent.size());
    assertEquals(BROWSER, sent.get(0).to());
    assertEquals(BROWSER, StunChecks.mapped(sent.get(0).bytes()));
    assertTrue(StunChecks.verifies(sent.get(0).bytes(), LOCAL.pwd()));
  }

  @Test
  @Timeout(5)
  void dtls_rtp_and_rtcp_reach_the_handler_only_from_a_bound_5_tuple() {
    receive(BROWSER, DTLS);
    receive(BROWSER, RTP);
    receive(BROWSER, RTCP);
    assertTrue(handler.packets.isEmpty());
    assertEquals(3, sessions.droppedUnknownSource());

    receive(BROWSER, valid(false));
    receive(BROWSER, DTLS);
    receive(BROWSER, RTP);
    receive(BROWSER, RTCP);

    assertEquals(List.of("dtls:[22, -2, -3, 0, 0]", "rtp:[-128, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7]",
        "rtcp:[-127, -56, 0, 6, 0, 0, 0, 7]"), handler.packets);
  }

  @Test
  @Timeout(5)
  void media_from_a_spoofed_source_is_dropped() {
    receive(BROWSER, valid(true));

    receive(address(50001), RTP); // same IP, another port
    receive(new InetSocketAddress("203.0.113.9", 50000), DTLS); // another IP, same port
    assertTrue(handler.packets.isEmpty());
    assertEquals(2, sessions.droppedUnknownSource());
  }

  @Test
  @Timeout(5)
  void other_kinds_from_a_bound_address_are_dropped_and_counted() {
    receive(BROWSER, valid(false));
    receive(BROWSER, new byte[] {0x40, 0, 0, 4, 1, 2, 3, 4}); // TURN ChannelData
    receive(BROWSER, new byte[] {(byte) 0x80}); // too short for RTP
    receive(BROWSER, new byte[0]);

    assertTrue(handler.packets.isEmpty());
    assertEquals(3, sessions.droppedOther());
  }

  @Test
  @Timeout(5)
  void checks_for_unknown_ufrags_or_with_a_wrong_pwd_bind_nothing_and_get_no_answer() {
    receive(BROWSER, check("NoSuChUf:" + REMOTE.ufrag(), LOCAL.pwd(), true));
    receive(BROWSER, check(LOCAL.ufrag() + ":" + REMOTE.ufrag(), "wrongPasswordOf24chars+/", true));
    receive(BROWSER, new byte[] {0, 1, 0, 0, 1, 2, 3}); // STUN-looking garbage

    assertNull(sessions.boundTo(BROWSER));
    assertTrue(sent.isEmpty());
    assertEquals(2, sessions.droppedUnknownSource());
    assertEquals(1, sessions.droppedUnauthenticated());
  }

  @Test
  @Timeout(5)
  void unauthenticated_checks_are_rate_limited_per_source_address() {
    byte[] wrong = check(LOCAL.ufrag() + ":" + REMOTE.ufrag(), "wrongPasswordOf24chars+/", false);
    for (int port = 1; port <= 60; port++) {
      receive(address(port), wrong);
    }
    assertEquals(50, sessions.droppedUnauthenticated());
    assertEquals(10, sessions.droppedRateLimited());

    receive(BROWSER, valid(false));
    assertNull(sessions.boundTo(BROWSER), "the source's budget for this second is spent");
    receive(new InetSocketAddress("198.51.100.7", 50000), valid(false));
    assertEquals(1, sent.size(), "another source has its own budget");

    now.addAndGet(1_000);
    receive(BROWSER, valid(false));
    assertSame(session, sessions.boundTo(BROWSER));
  }

  @Test
  @Timeout(5)
  void nomination_is_told_to_the_handler_and_session_send_goes_to_the_selected_address() {
    assertFalse(session.send(RTP, 0, RTP.length), "nothing to send to before a nomination");
    receive(BROWSER, valid(true));
    receive(address(50002), valid(false));
    receive(address(50002), valid(true));

    assertEquals(List.of(BROWSER, address(50002)), handler.selections);
    sent.clear();
    assertTrue(session.send(RTP, 0, RTP.length));
    assertEquals(address(50002), sent.get(0).to());
  }

  @Test
  @Timeout(5)
  void before_a_nomination_send_goes_to_the_latest_checked_address_while_its_check_is_fresh() {
    receive(BROWSER, valid(false));
    receive(address(50002), valid(false));
    sent.clear();

    assertTrue(session.send(DTLS, 0, DTLS.length));
    assertEquals(address(50002), sent.get(0).to());
    now.addAndGet(30_000);
    assertFalse(session.send(DTLS, 0, DTLS.length), "no check for 30 s: no consent to send anywhere");
  }

  @Test
  @Timeout(5)
  void a_session_holds_at_most_its_cap_of_5_tuples_evicting_the_oldest_but_the_selected() {
    receive(address(1), valid(true));
    for (int port = 2; port <= 10; port++) {
      receive(address(port), valid(false));
    }

    assertEquals(8, session.addresses().size());
    assertEquals(address(1), session.selected());
    assertSame(session, sessions.boundTo(address(1)), "the selected address is never evicted");
    assertNull(sessions.boundTo(address(2)));
    assertNull(sessions.boundTo(address(3)));
    assertSame(session, sessions.boundTo(address(4)));
    receive(address(2), RTP);
    assertTrue(handler.packets.isEmpty());
  }

  @Test
  @Timeout(5)
  void an_address_bound_to_one_session_cannot_be_taken_by_a_check_for_another() {
    IceCredentials otherLocal = new IceCredentials("OtHeRuF2", "otherPasswordOf24chars+/");
    RecordingHandler other = new RecordingHandler();
    sessions.register(otherLocal, null, other);
    receive(BROWSER, valid(true));

    receive(BROWSER, check(otherLocal.ufrag() + ":x", otherLocal.pwd(), true));

    assertSame(session, sessions.boundTo(BROWSER));
    assertTrue(other.selections.isEmpty());
    assertEquals(1, sessions.droppedUnauthenticated());
  }

  @Test
  @Timeout(5)
  void the_node_holds_at_most_its_cap_of_sessions_and_local_ufrags_are_unique() {
    assertThrows(IllegalArgumentException.class, () -> sessions.register(LOCAL, null, new RecordingHandler()));
    sessions.register(IceCredentials.random(), null, new RecordingHandler());
    sessions.register(IceCredentials.random(), null, new RecordingHandler());
    assertThrows(IllegalStateException.class, () -> sessions.register(IceCredentials.random(), null, handler));
    assertEquals(3, sessions.size());
  }

  @Test
  @Timeout(5)
  void close_unbinds_every_5_tuple_and_the_ufrag() {
    receive(BROWSER, valid(true));
    receive(address(50002), valid(false));
    sessions.close(session);

    assertFalse(session.isOpen());
    assertNull(sessions.boundTo(BROWSER));
    assertNull(sessions.boundTo(address(50002)));
    assertFalse(session.send(RTP, 0, RTP.length));
    receive(BROWSER, RTP);
    sent.clear();
    receive(BROWSER, valid(false));
    assertTrue(handler.packets.isEmpty());
    assertTrue(sent.isEmpty());
    assertEquals(0, sessions.size());
    sessions.register(LOCAL, REMOTE, new RecordingHandler()); // the ufrag is free again
  }

  @Test
  @Timeout(5)
  void tick_tells_the_handler_once_when_consent_is_lost() {
    receive(BROWSER, valid(true));
    now.addAndGet(25_000);
    receive(BROWSER, valid(false));
    now.addAndGet(29_000);
    sessions.tick(now.get());
    assertEquals(0, handler.consentLost);

    now.addAndGet(1_000);
    sessions.tick(now.get());
    sessions.tick(now.get() + 1_000);
    assertEquals(1, handler.consentLost);
    assertFalse(session.send(RTP, 0, RTP.length));
  }

  @Test
  @Timeout(5)
  void after_an_ice_restart_both_ufrags_route_until_the_new_one_is_used() {
    receive(BROWSER, valid(true));
    IceCredentials newRemote = new IceCredentials("nEwR", "newRemotePasswordOf24chr");
    IceCredentials fresh = session.restart(newRemote);
    InetSocketAddress wifi = address(50003);
    InetSocketAddress cellular = new InetSocketAddress("198.51.100.7", 50004);

    receive(wifi, valid(false));
    assertSame(session, sessions.boundTo(wifi), "the old ufrag still routes");
    receive(cellular, check(fresh.ufrag() + ":" + newRemote.ufrag(), fresh.pwd(), true));
    assertSame(session, sessions.boundTo(cellular));
    assertEquals(List.of(BROWSER, cellular), handler.selections);

    InetSocketAddress late = address(50005);
    receive(late, valid(false));
    assertNull(sessions.boundTo(late), "the old ufrag retired with its generation");
    assertEquals(1, sessions.droppedUnknownSource());
  }
}

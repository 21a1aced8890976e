package dev.switchboard.media.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static dev.switchboard.media.transport.StunChecks.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IceLiteTest {
  private static final IceCredentials LOCAL = new IceCredentials("LoCaLuF1", "localPasswordOf24chars+/");
  private static final IceCredentials REMOTE = new IceCredentials("rEmO", "remotePasswordOf24chars/");
  private static final InetSocketAddress HOST = new InetSocketAddress("192.0.2.10", 50000);
  private static final InetSocketAddress SRFLX = new InetSocketAddress("198.51.100.7", 61000);
  private static final InetSocketAddress V6 = new InetSocketAddress("2001:db8::7", 52000);

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final IceLite ice = new IceLite(LOCAL, REMOTE, now::get);

  private IceLite.Check send(InetSocketAddress from, byte[] datagram) {
    return ice.onStun(from, datagram, 0, datagram.length);
  }

  private static byte[] valid(boolean useCandidate) {
    return check(LOCAL.ufrag() + ":" + REMOTE.ufrag(), LOCAL.pwd(), useCandidate);
  }

  @Test
  @Timeout(5)
  void a_valid_check_is_answered_with_its_source_as_xor_mapped_address_signed_with_the_local_pwd() {
    byte[] request = valid(false);
    IceLite.Check check = send(HOST, request);

    assertEquals(IceLite.Verdict.ANSWERED, check.verdict());
    assertTrue(check.authenticated());
    assertTrue(check.firstCheck());
    assertEquals(0x0101, StunChecks.type(check.reply()));
    assertTrue(StunChecks.sameTransaction(request, check.reply()));
    assertEquals(HOST, StunChecks.mapped(check.reply()));
    assertTrue(StunChecks.verifies(check.reply(), LOCAL.pwd()));
    assertFalse(StunChecks.verifies(check.reply(), REMOTE.pwd()));
    assertFalse(send(HOST, valid(false)).firstCheck());
  }

  @Test
  @Timeout(5)
  void an_ipv6_source_is_mapped_with_the_transaction_id_in_the_xor() {
    IceLite.Check check = send(V6, valid(false));

    assertEquals(V6, StunChecks.mapped(check.reply()));
    assertTrue(StunChecks.verifies(check.reply(), LOCAL.pwd()));
  }

  @Test
  @Timeout(5)
  void a_check_in_a_datagram_at_an_offset_is_read_in_place() {
    byte[] request = valid(false);
    byte[] buffer = new byte[request.length + 100];
    System.arraycopy(request, 0, buffer, 37, request.length);

    IceLite.Check check = ice.onStun(HOST, buffer, 37, request.length);

    assertEquals(IceLite.Verdict.ANSWERED, check.verdict());
    assertEquals(HOST, StunChecks.mapped(check.reply()));
  }

  @Test
  @Timeout(5)
  void a_check_signed_with_another_pwd_gets_no_answer() {
    IceLite.Check check = send(HOST, check(LOCAL.ufrag() + ":" + REMOTE.ufrag(), REMOTE.pwd(), true));

    assertEquals(IceLite.Verdict.UNAUTHENTICATED, check.verdict());
    assertNull(check.reply());
    assertNull(ice.selected());
  }

  @Test
  @Timeout(5)
  void a_check_without_message_integrity_gets_no_answer() {
    // USERNAME and FINGERPRINT, no MESSAGE-INTEGRITY
    byte[] noMi = check(LOCAL.ufrag() + ":" + REMOTE.ufrag(), null, true);
    assertEquals(IceLite.Verdict.UNAUTHENTICATED, send(HOST, noMi).verdict());
    assertNull(ice.selected());
  }

  @Test
  @Timeout(5)
  void a_check_for_another_ufrag_or_another_remote_ufrag_gets_no_answer() {
    assertEquals(IceLite.Verdict.UNAUTHENTICATED,
        send(HOST, check("OtHeRuFr:" + REMOTE.ufrag(), LOCAL.pwd(), false)).verdict());
    assertEquals(IceLite.Verdict.UNAUTHENTICATED,
        send(HOST, check(LOCAL.ufrag() + "X:" + REMOTE.ufrag(), LOCAL.pwd(), false)).verdict());
    assertEquals(IceLite.Verdict.UNAUTHENTICATED,
        send(HOST, check(LOCAL.ufrag() + ":wrong", LOCAL.pwd(), false)).verdict());
    assertEquals(IceLite.Verdict.UNAUTHENTICATED, send(HOST, check(LOCAL.ufrag(), LOCAL.pwd(), false)).verdict());
  }

  @Test
  @Timeout(5)
  void while_the_remote_ufrag_is_unknown_any_second_part_is_accepted_and_once_known_only_it() {
    IceLite early = new IceLite(LOCAL, null, now::get);
    byte[] request = check(LOCAL.ufrag() + ":whatever", LOCAL.pwd(), false);
    assertEquals(IceLite.Verdict.ANSWERED, early.onStun(HOST, request, 0, request.length).verdict());

    early.remote(REMOTE);
    assertEquals(IceLite.Verdict.UNAUTHENTICATED, early.onStun(HOST, request, 0, request.length).verdict());
    byte[] right = valid(false);
    assertEquals(IceLite.Verdict.ANSWERED, early.onStun(HOST, right, 0, right.length).verdict());
  }

  @Test
  @Timeout(5)
  void a_corrupted_check_fails_its_fingerprint_and_is_dropped() {
    byte[] request = valid(true);
    request[request.length - 1] ^= 1;

    assertEquals(IceLite.Verdict.UNAUTHENTICATED, send(HOST, request).verdict());
    assertNull(ice.selected());
  }

  @Test
  @Timeout(5)
  void truncated_and_foreign_datagrams_are_malformed() {
    byte[] request = valid(false);
    assertEquals(IceLite.Verdict.MALFORMED, ice.onStun(HOST, request, 0, request.length - 4).verdict());
    assertEquals(IceLite.Verdict.MALFORMED, ice.onStun(HOST, request, 0, 19).verdict());
    byte[] noCookie = request.clone();
    noCookie[4] = 0;
    assertEquals(IceLite.Verdict.MALFORMED, send(HOST, noCookie).verdict());
  }

  @Test
  @Timeout(5)
  void binding_indications_are_ignored() {
    IceLite.Check check = send(HOST, StunChecks.indication());

    assertEquals(IceLite.Verdict.IGNORED, check.verdict());
    assertNull(check.reply());
  }

  @Test
  @Timeout(5)
  void use_candidate_selects_the_5_tuple_and_a_later_nomination_switches_it() {
    assertFalse(send(HOST, valid(false)).selectedChanged());
    assertNull(ice.selected(), "a check without USE-CANDIDATE nominates nothing");

    assertTrue(send(HOST, valid(true)).selectedChanged());
    assertEquals(HOST, ice.selected());
    assertFalse(send(HOST, valid(true)).selectedChanged(), "the same nomination again changes nothing");
    assertFalse(send(SRFLX, valid(false)).selectedChanged());
    assertEquals(HOST, ice.selected());

    assertTrue(send(SRFLX, valid(true)).selectedChanged());
    assertEquals(SRFLX, ice.selected());
  }

  @Test
  @Timeout(5)
  void a_peer_that_claims_the_controlled_role_gets_a_signed_487_and_nominates_nothing() {
    byte[] request = check(LOCAL.ufrag() + ":" + REMOTE.ufrag(), LOCAL.pwd(), true, StunChecks.Role.CONTROLLED);
    IceLite.Check check = send(HOST, request);

    assertEquals(IceLite.Verdict.ROLE_CONFLICT, check.verdict());
    assertEquals(0x0111, StunChecks.type(check.reply()));
    assertEquals(487, StunChecks.errorCode(check.reply()));
    assertTrue(StunChecks.verifies(check.reply(), LOCAL.pwd()));
    assertTrue(StunChecks.sameTransaction(request, check.reply()));
    assertNull(ice.selected());
  }

  @Test
  @Timeout(5)
  void a_check_without_a_role_attribute_is_answered_as_from_the_controlling_agent() {
    byte[] request = check(LOCAL.ufrag() + ":" + REMOTE.ufrag(), LOCAL.pwd(), true, StunChecks.Role.NONE);

    assertEquals(IceLite.Verdict.ANSWERED, send(HOST, request).verdict());
    assertEquals(HOST, ice.selected());
  }

  @Test
  @Timeout(5)
  void consent_is_lost_30_seconds_after_the_last_check_on_the_selected_pair() {
    send(HOST, valid(true));
    now.addAndGet(29_999);
    assertFalse(ice.tick(now.get()));
    now.addAndGet(1);
    assertTrue(ice.tick(now.get()));
    assertNull(ice.selected(), "no more media after consent loss");
    assertNull(ice.destination(now.get()));
    assertFalse(ice.tick(now.get() + 60_000), "the loss is told once");
  }

  @Test
  @Timeout(5)
  void checks_on_the_selected_pair_keep_consent_and_checks_elsewhere_do_not() {
    send(HOST, valid(true));
    for (int i = 0; i < 10; i++) {
      now.addAndGet(5_000);
      send(HOST, valid(false));
      assertFalse(ice.tick(now.get()));
    }
    assertEquals(HOST, ice.selected());
    for (int i = 0; i < 6; i++) {
      now.addAndGet(5_000);
      send(SRFLX, valid(false));
    }
    assertTrue(ice.tick(now.get()));
  }

  @Test
  @Timeout(5)
  void nothing_is_lost_before_a_nomination() {
    send(HOST, valid(false));
    assertFalse(ice.tick(now.get() + 3_600_000));
  }

  @Test
  @Timeout(5)
  void after_an_ice_restart_old_credentials_are_answered_until_the_new_ones_are_used() {
    send(HOST, valid(true));
    IceCredentials newRemote = new IceCredentials("nEwR", "newRemotePasswordOf24chr");
    IceCredentials fresh = ice.restart(newRemote);
    assertNotEquals(LOCAL, fresh);
    assertEquals(fresh, ice.local());
    assertEquals(LOCAL, ice.previousLocal());
    assertEquals(HOST, ice.selected(), "the selection survives the restart");

    IceLite.Check old = send(HOST, valid(false));
    assertEquals(IceLite.Verdict.ANSWERED, old.verdict());
    assertTrue(StunChecks.verifies(old.reply(), LOCAL.pwd()), "answered with the generation it was checked with");

    byte[] renewed = check(fresh.ufrag() + ":" + newRemote.ufrag(), fresh.pwd(), false);
    IceLite.Check check = send(HOST, renewed);
    assertEquals(IceLite.Verdict.ANSWERED, check.verdict());
    assertTrue(StunChecks.verifies(check.reply(), fresh.pwd()));
    assertNull(ice.previousLocal());
    assertEquals(IceLite.Verdict.UNAUTHENTICATED, send(HOST, valid(false)).verdict(), "the old generation retired");
    assertEquals(HOST, ice.selected(), "still selected until a new nomination");

    send(SRFLX, check(fresh.ufrag() + ":" + newRemote.ufrag(), fresh.pwd(), true));
    assertEquals(SRFLX, ice.selected());
  }

  @Test
  @Timeout(5)
  void two_restarts_in_a_row_keep_the_generation_that_was_used() {
    send(HOST, valid(true));
    ice.restart(null);
    IceCredentials second = ice.restart(null);

    assertEquals(LOCAL, ice.previousLocal());
    assertEquals(second, ice.local());
    assertEquals(IceLite.Verdict.ANSWERED, send(HOST, valid(false)).verdict());
  }

  @Test
  @Timeout(5)
  void random_credentials_are_8_and_24_ice_chars_and_differ() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      IceCredentials credentials = IceCredentials.random();
      assertEquals(8, credentials.ufrag().length());
      assertEquals(24, credentials.pwd().length());
      assertTrue(credentials.ufrag().matches("[A-Za-z0-9+/]+"));
      assertTrue(credentials.pwd().matches("[A-Za-z0-9+/]+"));
      assertTrue(seen.add(credentials.ufrag()));
    }
    assertFalse(IceCredentials.random().toString().contains(IceCredentials.random().pwd()));
  }

  @Test
  @Timeout(5)
  void credentials_outside_the_ice_char_set_are_refused() {
    assertThrows(IllegalArgumentException.class, () -> new IceCredentials("a:b", "localPasswordOf24chars+/"));
    assertThrows(IllegalArgumentException.class, () -> new IceCredentials("", "localPasswordOf24chars+/"));
    assertThrows(IllegalArgumentException.class, () -> new IceCredentials("abcd", null));
  }
}

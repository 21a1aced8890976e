package dev.switchboard.turn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading a peer-bound TURN username back: the relay counts and revokes by what it parses. */
@Timeout(5)
class CredentialUserTest {
  @Test
  void a_peer_bound_username_parses_into_expiry_peer_and_identity_tag() {
    CredentialUser user = CredentialUser.parse("1700000600:Xk3_-q9ZaB0c1d2e3f4g5h:emSt8oc36pBx");
    assertEquals(new CredentialUser(1_700_000_600L, "Xk3_-q9ZaB0c1d2e3f4g5h", "emSt8oc36pBx"), user);
    assertEquals("1700000600:Xk3_-q9ZaB0c1d2e3f4g5h:emSt8oc36pBx", user.username());
    assertTrue(user.hasIdentity());
  }

  @Test
  void an_anonymous_peer_has_no_identity_to_count() {
    CredentialUser user = CredentialUser.parse("1600:peerA:anon");
    assertEquals("peerA", user.peerId());
    assertFalse(user.hasIdentity());
    assertEquals(CredentialUser.ANONYMOUS, CredentialUser.tag(null));
  }

  @Test
  void anything_else_is_not_a_peer_bound_username_and_parses_to_null() {
    for (String other : Arrays.asList(null, "", "kiosk", "1600:alice", "abc:peer:tag", "1600::tag", "1600:peer:",
        ":peer:tag", "1600:peer:tag:extra", "-5:peer:tag", "+5:peer:tag", " 5:peer:tag", "١٢:peer:tag",
        "99999999999999999999:peer:tag", "::", ":::")) {
      assertNull(CredentialUser.parse(other), String.valueOf(other));
    }
  }
}

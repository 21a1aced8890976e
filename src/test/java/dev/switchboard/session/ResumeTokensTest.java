package dev.switchboard.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@Timeout(10)
class ResumeTokensTest {
  private final ResumeTokens tokens = new ResumeTokens();

  @Test
  void a_token_verifies_on_the_node_that_issued_it_with_its_claims() {
    String nonce = tokens.newNonce();
    String token = tokens.issue("p1", "lobby", "node-a", nonce);
    assertEquals(new ResumeTokens.Claims("p1", "lobby", "node-a", nonce), tokens.verify(token));
  }

  @Test
  void any_node_can_peek_at_the_claims_but_only_the_issuer_verifies_them() {
    String token = tokens.issue("p1", "lobby", "node-a", tokens.newNonce());
    ResumeTokens otherNode = new ResumeTokens();
    assertEquals("p1", ResumeTokens.peek(token).peerId());
    assertEquals("node-a", ResumeTokens.peek(token).nodeId());
    assertNull(otherNode.verify(token));
  }

  @Test
  void a_changed_claim_or_mac_is_refused() {
    String token = tokens.issue("p1", "lobby", "node-a", tokens.newNonce());
    String mac = token.substring(token.indexOf('.') + 1);
    String forged = new ResumeTokens().issue("p2", "lobby", "node-a", "n");
    assertNull(tokens.verify(forged.substring(0, forged.indexOf('.') + 1) + mac));
    assertNull(tokens.verify(token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA")));
  }

  @Test
  void garbage_is_neither_peeked_nor_verified() {
    for (String junk : new String[] {null, "", ".", "abc", "a.b.c", "!!!.???", "YQ.YQ"}) {
      assertNull(ResumeTokens.peek(junk), junk);
      assertNull(tokens.verify(junk), junk);
    }
  }

  @Test
  void nonces_are_128_random_bits() {
    String a = tokens.newNonce();
    assertEquals(22, a.length());
    assertNotEquals(a, tokens.newNonce());
  }
}

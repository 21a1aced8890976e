package dev.switchboard.media.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.IceControllingAttribute;
import org.ice4j.attribute.PriorityAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.switchboard.turn.StunWire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class StunCheckTest {
  private static final String NODE_PWD = "node-password-of-22-chars-or-more";
  private final StunCheck check = new StunCheck("nodeU", "mine", NODE_PWD, 0x0123_4567_89ab_cdefL);

  @Test
  void a_check_carries_what_a_controlling_browser_sends_signed_with_the_nodes_pwd() throws Exception {
    StunCheck.Sent sent = check.request(true);

    byte[] bytes = sent.bytes();
    assertTrue(StunWire.verifyIntegrity(bytes, NODE_PWD.getBytes(StandardCharsets.UTF_8)));
    int fingerprint = StunWire.find(bytes, StunWire.ATTR_FINGERPRINT);
    assertEquals(bytes.length - 8, fingerprint, "FINGERPRINT last");
    assertTrue(StunWire.verifyFingerprint(bytes, fingerprint));
    Message decoded = Message.decode(bytes, 0, bytes.length);
    assertEquals(Message.BINDING_REQUEST, decoded.getMessageType());
    assertEquals("nodeU:mine",
        new String(((UsernameAttribute) decoded.getAttribute(Attribute.USERNAME)).getUsername(), StandardCharsets.UTF_8));
    assertEquals(StunCheck.HOST_PRIORITY, ((PriorityAttribute) decoded.getAttribute(Attribute.PRIORITY)).getPriority());
    assertEquals(0x0123_4567_89ab_cdefL,
        ((IceControllingAttribute) decoded.getAttribute(Attribute.ICE_CONTROLLING)).getTieBreaker());
    assertNotNull(decoded.getAttribute(Attribute.USE_CANDIDATE));
    byte[] consent = check.request(false).bytes();
    assertNull(Message.decode(consent, 0, consent.length).getAttribute(Attribute.USE_CANDIDATE));
  }

  @Test
  void a_signed_success_response_gives_the_mapped_address() throws Exception {
    StunCheck.Sent sent = check.request(true);
    InetSocketAddress mapped = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

    assertEquals(mapped, check.verify(response(sent, mapped, NODE_PWD), sent));
  }

  @Test
  void responses_with_another_pwd_transaction_or_a_broken_fingerprint_are_refused() throws Exception {
    StunCheck.Sent sent = check.request(true);
    InetSocketAddress mapped = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);

    assertThrows(StunCheck.InvalidResponse.class, () -> check.verify(response(sent, mapped, "other-pwd"), sent));
    assertThrows(StunCheck.InvalidResponse.class,
        () -> check.verify(response(sent, mapped, NODE_PWD), check.request(true)));
    byte[] tampered = response(sent, mapped, NODE_PWD);
    tampered[tampered.length - 1] ^= 1;
    assertThrows(StunCheck.InvalidResponse.class, () -> check.verify(tampered, sent));
    byte[] unsigned = StunWire.sign(responseBody(sent, mapped), null);
    StunCheck.InvalidResponse e = assertThrows(StunCheck.InvalidResponse.class, () -> check.verify(unsigned, sent));
    assertTrue(e.getMessage().contains("MESSAGE-INTEGRITY"), e.getMessage());
  }

  private static byte[] response(StunCheck.Sent sent, InetSocketAddress mapped, String pwd) throws Exception {
    return StunWire.sign(responseBody(sent, mapped), pwd.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] responseBody(StunCheck.Sent sent, InetSocketAddress mapped) throws Exception {
    Request request = (Request) Message.decode(sent.bytes(), 0, sent.bytes().length);
    Response response = MessageFactory.createBindingResponse(request,
        new TransportAddress(mapped.getAddress(), mapped.getPort(), Transport.UDP));
    response.setTransactionID(sent.transactionId());
    return response.encode(null);
  }
  @Test
  void a_full_agents_check_of_us_is_answered_signed_with_our_pwd_and_others_are_not() throws Exception {
    // The other side's check of us: USERNAME "ourUfrag:theirs", keyed with our pwd (what libnice sends)
    StunCheck theirs = new StunCheck("mine", "peer", "our-password-of-24-chars!", 7L);
    StunCheck.Sent sent = theirs.request(false);
    InetSocketAddress from = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40_000);

    byte[] answer = StunCheck.answer(sent.bytes(), from, "mine", "our-password-of-24-chars!");
    assertNotNull(answer);
    assertEquals(from, theirs.verify(answer, sent), "a valid, signed success response mapping their address");

    assertNull(StunCheck.answer(sent.bytes(), from, "mine", "another-password-24-chars"), "wrong pwd");
    assertNull(StunCheck.answer(sent.bytes(), from, "other", "our-password-of-24-chars!"), "not our ufrag");
    assertNull(StunCheck.answer(answer, from, "mine", "our-password-of-24-chars!"), "a response is no check");
  }
}

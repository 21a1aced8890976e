package dev.switchboard.media.client;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;

import dev.switchboard.turn.StunWire;

/**
 * ICE connectivity checks as a controlling browser sends them to an ICE-lite node (RFC 8445 §7.2.2, §7.1.1):
 * a Binding request with USERNAME "nodeUfrag:localUfrag", PRIORITY, ICE-CONTROLLING with our tie-breaker,
 * optionally USE-CANDIDATE (aggressive-style nomination: the node selects the pair on it), then
 * MESSAGE-INTEGRITY keyed with the node's ice-pwd and FINGERPRINT. Encoded with ice4j and signed with the node's
 * own {@link StunWire}, so the kit speaks exactly what the node parses.
 */
public final class StunCheck {
  /** RFC 8445 §5.1.2.1 for a host candidate: type preference 126, local preference 65535, component 1. */
  public static final long HOST_PRIORITY = (126L << 24) | (65535L << 8) | (256 - 1);
  private static final int BINDING_SUCCESS = 0x0101;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String nodeUfrag;
  private final String localUfrag;
  private final byte[] nodePwd;
  private final long tieBreaker;

  /** One encoded check and the transaction id its response must carry. */
  public record Sent(byte[] transactionId, byte[] bytes) {
  }

  /** Why a datagram is not a valid answer to a check. */
  public static final class InvalidResponse extends Exception {
    InvalidResponse(String why) {
      super(why);
    }
  }

  public StunCheck(String nodeUfrag, String localUfrag, String nodePwd, long tieBreaker) {
    this.nodeUfrag = nodeUfrag;
    this.localUfrag = localUfrag;
    this.nodePwd = nodePwd.getBytes(StandardCharsets.UTF_8); // short-term credential: the key is the pwd itself
    this.tieBreaker = tieBreaker;
  }

  /** A new check with a fresh random transaction id. */
  public Sent request(boolean useCandidate) {
    byte[] transactionId = new byte[12];
    RANDOM.nextBytes(transactionId);
    Request request = MessageFactory.createBindingRequest();
    try {
      request.setTransactionID(transactionId);
    } catch (StunException e) {
      throw new IllegalStateException(e); // 12 bytes is always a valid RFC 5389 transaction id
    }
    // The receiver's ufrag comes first (RFC 8445 §7.2.2): the node finds its session by it.
    request.putAttribute(AttributeFactory.createUsernameAttribute(nodeUfrag + ":" + localUfrag));
    request.putAttribute(AttributeFactory.createPriorityAttribute(HOST_PRIORITY));
    request.putAttribute(AttributeFactory.createIceControllingAttribute(tieBreaker));
    if (useCandidate) {
      request.putAttribute(AttributeFactory.createUseCandidateAttribute());
    }
    return new Sent(transactionId, StunWire.sign(request.encode(null), nodePwd));
  }

  /**
   * Checks a Binding success response to {@code sent}: type, transaction id, FINGERPRINT, MESSAGE-INTEGRITY
   * with the node's pwd (RFC 8445 §7.2.5.2: the response is signed with the same key), and decodes the
   * XOR-MAPPED-ADDRESS, which tells where the node saw us.
   */
  public InetSocketAddress verify(byte[] response, Sent sent) throws InvalidResponse {
    if (response.length < StunWire.HEADER + 8) {
      throw new InvalidResponse("shorter than a STUN message with FINGERPRINT");
    }
    int type = ((response[0] & 0xff) << 8) | (response[1] & 0xff);
    if (type != BINDING_SUCCESS) {
      throw new InvalidResponse(String.format("message type 0x%04x is not a Binding success response", type));
    }
    if (!Arrays.equals(response, 8, 20, sent.transactionId(), 0, 12)) {
      throw new InvalidResponse("transaction id does not match the check");
    }
    int fingerprint = StunWire.find(response, StunWire.ATTR_FINGERPRINT);
    if (fingerprint < 0 || fingerprint + 8 != response.length || !StunWire.verifyFingerprint(response, fingerprint)) {
      throw new InvalidResponse("FINGERPRINT missing, not last, or wrong");
    }
    if (!StunWire.verifyIntegrity(response, nodePwd)) {
      throw new InvalidResponse("MESSAGE-INTEGRITY missing or not keyed with the node's ice-pwd");
    }
    Message decoded;
    try {
      decoded = Message.decode(response, 0, response.length);
    } catch (StunException e) {
      throw new InvalidResponse("undecodable: " + e.getMessage());
    }
    Attribute mapped = decoded.getAttribute(Attribute.XOR_MAPPED_ADDRESS);
    if (!(mapped instanceof XorMappedAddressAttribute xor)) {
      throw new InvalidResponse("no XOR-MAPPED-ADDRESS");
    }
    var address = xor.getAddress(sent.transactionId());
    return new InetSocketAddress(address.getAddress(), address.getPort());
  }

  /**
   * The success response to a check the other side sent us (a full ICE agent such as Janus's libnice checks the
   * pair too, even when it is ICE-lite toward us: RFC 8445 §7.3 says every agent answers): USERNAME must start
   * with our ufrag and MESSAGE-INTEGRITY verify with our pwd. Null for anything else (not a Binding request, not
   * ours), which is then dropped as a browser would.
   */
  public static byte[] answer(byte[] request, InetSocketAddress from, String localUfrag, String localPwd) {
    if (request.length < StunWire.HEADER || request[0] != 0 || request[1] != 1) {
      return null;
    }
    Message decoded;
    try {
      decoded = Message.decode(request, 0, request.length);
    } catch (StunException e) {
      return null;
    }
    byte[] key = localPwd.getBytes(StandardCharsets.UTF_8);
    if (!(decoded.getAttribute(Attribute.USERNAME) instanceof UsernameAttribute username)
        || !new String(username.getUsername(), StandardCharsets.UTF_8).startsWith(localUfrag + ":")
        || !StunWire.verifyIntegrity(request, key)) {
      return null;
    }
    Response response = MessageFactory.createBindingResponse((Request) decoded,
        new TransportAddress(from.getAddress(), from.getPort(), Transport.UDP));
    try {
      response.setTransactionID(decoded.getTransactionID());
    } catch (StunException e) {
      throw new IllegalStateException(e); // copied from a decoded request: always 12 bytes
    }
    return StunWire.sign(response.encode(null), key);
  }

  public String username() {
    return nodeUfrag + ":" + localUfrag;
  }
}

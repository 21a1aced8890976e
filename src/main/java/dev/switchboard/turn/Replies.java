package dev.switchboard.turn;

import dev.switchboard.turn.allocation.ClientLink;
import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Response;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

/**
 * Encodes and sends responses. Whatever answers an unauthenticated request (Binding, 400, 401, 438) is kept
 * small and is rate limited per source address, because its source may be forged: the relay must not be a
 * reflector that multiplies a spoofed request's bytes towards a victim. Such answers carry no SOFTWARE and no
 * reason phrase, and Binding and 400 answers are never larger than twice their request (with FINGERPRINT, as
 * every answer has: 40 bytes for a 20-byte Binding request from IPv4).
 */
final class Replies {
  /** Short standard phrases, for answers to authenticated requests only. */
  private static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(403, "Forbidden"),
      Map.entry(437, "Allocation Mismatch"), Map.entry(440, "Address Family not Supported"),
      Map.entry(441, "Wrong Credentials"), Map.entry(442, "Unsupported Transport Protocol"),
      Map.entry(443, "Peer Address Family Mismatch"), Map.entry(486, "Allocation Quota Reached"),
      Map.entry(508, "Insufficient Capacity"), Map.entry(400, "Bad Request"));
  private static final int PER_SOURCE_PER_SECOND = 20;
  private static final int ATTR_SOFTWARE = 0x8022;

  private final byte[] software;
  private final Clock clock;
  /** 401 and 438 challenges. */
  private final UnauthorizedLimiter challenges = new UnauthorizedLimiter(PER_SOURCE_PER_SECOND);
  /** Binding answers and 400s to unauthenticated requests. */
  private final UnauthorizedLimiter unauthenticated = new UnauthorizedLimiter(PER_SOURCE_PER_SECOND);

  Replies(String software, Clock clock) {
    this.software = software.getBytes(StandardCharsets.UTF_8);
    this.clock = clock;
  }

  /** A success or error response to the request, with SOFTWARE when {@code identify} (authenticated answers). */
  Response response(Message request, boolean success, boolean identify) {
    // ice4j's Response constructor is package-private: start from an empty factory-made response
    Response response = MessageFactory.createChannelBindResponse();
    int method = request.getMessageType() & 0x3EEF;
    response.setMessageType((char) (method | (success ? 0x0100 : 0x0110)));
    try {
      response.setTransactionID(request.getTransactionID());
    } catch (StunException e) {
      throw new IllegalStateException(e);
    }
    if (identify) {
      response.putAttribute(AttributeFactory.createSoftwareAttribute(software));
    }
    return response;
  }

  Response success(Message request) {
    return response(request, true, true);
  }

  /** An error answer to an authenticated request. */
  Response error(Message request, int code) {
    Response response = response(request, false, true);
    response.putAttribute(AttributeFactory.createErrorCodeAttribute((char) code, REASONS.getOrDefault(code, "")));
    return response;
  }

  /** Signs (MESSAGE-INTEGRITY with the key, FINGERPRINT) and sends an answer to an authenticated request. */
  void send(ClientLink link, Response response, byte[] key) {
    link.send(ByteBuffer.wrap(StunWire.sign(response.encode(null), key)));
  }

  /** The Binding answer: XOR-MAPPED-ADDRESS only, within the size and rate limits. */
  void binding(ClientLink link, Message request, byte[] raw) {
    Response response = response(request, true, false);
    InetSocketAddress client = link.remote();
    response.putAttribute(AttributeFactory.createXorMappedAddressAttribute(
        new TransportAddress(client, link.stream() ? Transport.TCP : Transport.UDP), request.getTransactionID()));
    unauthenticated(link, StunWire.sign(bare(response), null), raw.length);
  }

  /** A 400 to a request that did not authenticate (or could not be decoded): ERROR-CODE alone. */
  void badRequest(ClientLink link, byte[] raw) {
    unauthenticated(link, StunWire.sign(StunWire.badRequest(raw), null), raw.length);
  }

  private void unauthenticated(ClientLink link, byte[] answer, int requestLength) {
    // a 20-byte Binding request from an IPv6 address would need a 44-byte answer: it gets none
    if (answer.length <= 2 * requestLength && unauthenticated.allow(link.remote().getAddress(), clock.millis() / 1000)) {
      link.send(ByteBuffer.wrap(answer));
    }
  }

  /** A 401 or 438 with the realm and a fresh nonce, rate limited per source address. */
  void challenge(ClientLink link, Message request, int code, String realm, String nonce) {
    if (!challenges.allow(link.remote().getAddress(), clock.millis() / 1000)) {
      return;
    }
    Response challenge = response(request, false, false);
    challenge.putAttribute(AttributeFactory.createErrorCodeAttribute((char) code, ""));
    challenge.putAttribute(AttributeFactory.createRealmAttribute(realm.getBytes(StandardCharsets.UTF_8)));
    challenge.putAttribute(AttributeFactory.createNonceAttribute(nonce.getBytes(StandardCharsets.US_ASCII)));
    link.send(ByteBuffer.wrap(StunWire.sign(bare(challenge), null)));
  }

  /** Encoded without the SOFTWARE attribute that ice4j adds to every message that has none. */
  private static byte[] bare(Response response) {
    byte[] encoded = response.encode(null);
    int software = StunWire.find(encoded, ATTR_SOFTWARE);
    return software < 0 ? encoded : StunWire.without(encoded, software);
  }
}

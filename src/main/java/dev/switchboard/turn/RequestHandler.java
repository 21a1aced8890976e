package dev.switchboard.turn;

import dev.switchboard.turn.allocation.Allocation;
import dev.switchboard.turn.allocation.AllocationManager;
import dev.switchboard.turn.allocation.ClientLink;
import org.ice4j.StunException;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.NonceAttribute;
import org.ice4j.attribute.RealmAttribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Message;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The control plane's front door: decodes a request, answers Binding, authenticates the rest (long-term
 * credentials, RFC 8489 §9.2) and hands them to {@link AllocationRequests}. Runs on the packet thread that read
 * the request; nothing here waits on another client.
 */
final class RequestHandler {
  private static final Logger LOG = Logger.getLogger(RequestHandler.class.getName());

  /** What the codec does not read as RFC 8656 writes it, taken out of the request before decoding. */
  record Extras(Boolean evenPortReserve, int family) {
  }

  final LongAdder authFailures = new LongAdder();
  private final LongTermAuth auth;
  private final AllocationManager allocations;
  private final AllocationRequests requests;
  private final Replies replies;
  private final Clock clock;
  private final Predicate<String> revoked;

  /** @param revoked whether a verified username may no longer allocate (checked, and counted, at Allocate) */
  RequestHandler(LongTermAuth auth, AllocationManager allocations, AllocationRequests requests, Replies replies,
                 Clock clock, Predicate<String> revoked) {
    this.revoked = revoked;
    this.auth = auth;
    this.allocations = allocations;
    this.requests = requests;
    this.replies = replies;
    this.clock = clock;
  }

  void onRequest(byte[] raw, ClientLink link) {
    // ice4j expects other lengths for EVEN-PORT (RFC 8656: 1 byte) and REQUESTED-ADDRESS-FAMILY
    // (RFC 8656: 4 bytes) than the RFC and coturn's client use: read them here, decode the rest with ice4j.
    // Each attribute read here must hold what is read from it and end inside the message; one that does not
    // makes the request malformed (400), never an exception that would drop a TCP client and its allocation.
    int fingerprintAt = StunWire.find(raw, StunWire.ATTR_FINGERPRINT);
    boolean fingerprinted = fingerprintAt >= 0;
    if (fingerprinted && !fits(raw, fingerprintAt, 4)) {
      replies.badRequest(link, raw);
      return;
    }
    if (fingerprinted && !StunWire.verifyFingerprint(raw, fingerprintAt)) {
      return; // corrupted in transit or not meant for us: RFC 8489 says discard
    }
    byte[] decodable = fingerprinted ? StunWire.without(raw, fingerprintAt) : raw;
    int evenPortAt = StunWire.find(decodable, StunWire.ATTR_EVEN_PORT);
    if (evenPortAt >= 0 && !fits(decodable, evenPortAt, 1)) {
      replies.badRequest(link, raw);
      return;
    }
    Boolean evenPortReserve = evenPortAt < 0 ? null : (decodable[evenPortAt + 4] & 0x80) != 0;
    if (evenPortAt >= 0) {
      decodable = StunWire.without(decodable, evenPortAt);
    }
    int familyAt = StunWire.find(decodable, StunWire.ATTR_REQUESTED_ADDRESS_FAMILY);
    if (familyAt >= 0 && !fits(decodable, familyAt, 1)) {
      replies.badRequest(link, raw);
      return;
    }
    int family = familyAt < 0 ? 0 : decodable[familyAt + 4];
    if (familyAt >= 0) {
      decodable = StunWire.without(decodable, familyAt);
    }
    Message request;
    try {
      request = Message.decode(decodable, 0, decodable.length);
    } catch (StunException | RuntimeException e) {
      LOG.log(Level.FINE, "undecodable request from " + link.remote(), e);
      replies.badRequest(link, raw);
      return;
    }
    char type = request.getMessageType();
    int method = type & 0x3EEF;
    if (type == Message.BINDING_REQUEST) {
      replies.binding(link, request, raw);
      return;
    }
    if (method != Message.TURN_METHOD_ALLOCATE && method != Message.TURN_METHOD_REFRESH
        && method != Message.TURN_METHOD_CREATEPERMISSION && method != Message.TURN_METHOD_CHANNELBIND) {
      replies.badRequest(link, raw);
      return;
    }
    authenticated(raw, request, method, link, new Extras(evenPortReserve, family));
  }

  private void authenticated(byte[] raw, Message request, int method, ClientLink link, Extras extras) {
    long now = clock.instant().getEpochSecond();
    Allocation existing = allocations.get(link.fiveTuple());
    if (existing != null && method == Message.TURN_METHOD_ALLOCATE && allocations.endIfExpired(existing)) {
      // it ran out and the sweeper has not come yet: an Allocate (even one repeating its transaction id) is a new
      // one, not a retransmission to answer with the old success
      existing = null;
    }
    String username = text(request, Attribute.USERNAME);
    // an allocation's own requests verify with the key it was created with (see LongTermAuth.check)
    byte[] sessionKey = method != Message.TURN_METHOD_ALLOCATE && existing != null
        && existing.username.equals(username) ? existing.key : null;
    LongTermAuth.Result result = auth.check(raw, username, text(request, Attribute.REALM),
        text(request, Attribute.NONCE), link.remote(), now, sessionKey);
    switch (result.outcome()) {
      case BAD_REQUEST -> {
        replies.badRequest(link, raw);
        return;
      }
      case CHALLENGE, STALE_NONCE -> {
        boolean stale = result.outcome() == LongTermAuth.Outcome.STALE_NONCE;
        if (!stale && request.containsAttribute(Attribute.MESSAGE_INTEGRITY)) {
          authFailures.increment();
        }
        replies.challenge(link, request, stale ? 438 : 401, auth.realm(), auth.nonceFor(link.remote(), now));
        return;
      }
      default -> {
      }
    }
    link.authenticated();
    if (method == Message.TURN_METHOD_ALLOCATE && existing == null && revoked.test(result.username())) {
      // a revoked credential is refused like a wrong one, so a client gives up on it instead of retrying
      replies.challenge(link, request, 401, auth.realm(), auth.nonceFor(link.remote(), now));
      return;
    }
    if (method == Message.TURN_METHOD_ALLOCATE) {
      requests.allocate(request, link, result, existing, extras);
      return;
    }
    if (existing == null) {
      replies.send(link, replies.error(request, 437), result.key());
      return;
    }
    if (!existing.username.equals(result.username())) {
      replies.send(link, replies.error(request, 441), result.key());
      return;
    }
    if (method == Message.TURN_METHOD_REFRESH) {
      requests.refresh(request, link, existing);
    } else if (method == Message.TURN_METHOD_CREATEPERMISSION) {
      requests.createPermission(request, raw, link, existing);
    } else {
      requests.channelBind(request, raw, link, existing);
    }
  }

  /** Whether the attribute at {@code at} holds at least {@code minimum} bytes and ends inside the message. */
  private static boolean fits(byte[] msg, int at, int minimum) {
    int length = ((msg[at + 2] & 0xff) << 8) | (msg[at + 3] & 0xff);
    return length >= minimum && at + 4 + length <= msg.length;
  }

  private static String text(Message message, char type) {
    Attribute attribute = message.getAttribute(type);
    byte[] bytes = attribute instanceof UsernameAttribute u ? u.getUsername()
        : attribute instanceof RealmAttribute r ? r.getRealm()
        : attribute instanceof NonceAttribute n ? n.getNonce() : null;
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}

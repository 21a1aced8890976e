package dev.switchboard.turn;

import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.DataAttribute;
import org.ice4j.attribute.XorPeerAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NonceAndWireTest {
  private final InetSocketAddress client = new InetSocketAddress("127.0.0.1", 5000);

  @Test
  void nonces_are_bound_to_the_client_and_go_stale_after_their_lifetime() {
    NonceService nonces = new NonceService(600);
    String nonce = nonces.issue(client, 1_000);
    assertEquals(24, nonce.length());
    assertEquals(NonceService.Check.VALID, nonces.check(nonce, client, 1_600));
    assertEquals(NonceService.Check.STALE, nonces.check(nonce, client, 1_601));
    assertEquals(NonceService.Check.INVALID, nonces.check(nonce, new InetSocketAddress("127.0.0.1", 5001), 1_000));
    char last = nonce.charAt(23);
    String tampered = nonce.substring(0, 23) + (last == '0' ? '1' : '0');
    assertEquals(NonceService.Check.INVALID, nonces.check(tampered, client, 1_000));
    assertEquals(NonceService.Check.INVALID, new NonceService(600).check(nonce, client, 1_000), "other server key");
  }

  @Test
  void signed_messages_verify_with_the_key_and_carry_a_valid_fingerprint() throws Exception {
    Message request = MessageFactory.createRefreshRequest(600);
    request.setTransactionID(new byte[12]);
    byte[] key = LongTermAuth.key("u", "realm", "p");
    byte[] signed = StunWire.sign(request.encode(null), key);
    assertTrue(StunWire.verifyIntegrity(signed, key));
    assertFalse(StunWire.verifyIntegrity(signed, LongTermAuth.key("u", "realm", "other")));
    assertTrue(StunWire.verifyFingerprint(signed, StunWire.find(signed, StunWire.ATTR_FINGERPRINT)));
    signed[21] ^= 1;
    assertFalse(StunWire.verifyIntegrity(signed, key), "tampered");
    Message.decode(StunWire.sign(request.encode(null), key), 0, signed.length); // ice4j accepts our FINGERPRINT
  }

  @Test
  void send_indications_are_read_in_place_and_data_indications_written_in_place() throws Exception {
    byte[] transaction = new byte[12];
    TransportAddress peer = new TransportAddress(InetAddress.getByName("198.51.100.9"), 4242, Transport.UDP);
    Message send = MessageFactory.createSendIndication(peer, new byte[] {1, 2, 3, 4, 5}, transaction);
    send.setTransactionID(transaction);
    byte[] bytes = send.encode(null);
    StunWire.SendIndication parsed = new StunWire.SendIndication();
    assertTrue(parsed.parse(ByteBuffer.wrap(bytes), 0, bytes.length));
    assertEquals(4, parsed.peerIpLength);
    assertEquals(4242, parsed.peerPort);
    assertArrayEquals(new byte[] {(byte) 198, 51, 100, 9}, Arrays.copyOf(parsed.peerIp, 4));
    assertEquals(5, parsed.dataLength);

    ByteBuffer out = ByteBuffer.allocate(100);
    int payloadAt = 48;
    out.put(payloadAt, new byte[] {9, 8, 7});
    int start = StunWire.writeDataIndication(out, payloadAt, 3, new byte[] {(byte) 198, 51, 100, 9}, 4242, 77);
    byte[] message = new byte[payloadAt + 4 - start];
    out.get(start, message);
    Message data = Message.decode(message, 0, message.length);
    assertEquals(Message.DATA_INDICATION, data.getMessageType());
    assertArrayEquals(new byte[] {9, 8, 7}, ((DataAttribute) data.getAttribute(Attribute.DATA)).getData());
    assertEquals(peer, ((XorPeerAddressAttribute) data.getAttribute(Attribute.XOR_PEER_ADDRESS))
        .getAddress(data.getTransactionID()));
  }

  /** A message of the given attributes (type, value), its length field set; the transaction id is 1..12. */
  private static byte[] message(int type, Object... attributes) {
    ByteBuffer b = ByteBuffer.allocate(600);
    b.putShort((short) type).putShort((short) 0).putInt(StunWire.MAGIC_COOKIE);
    for (int i = 1; i <= 12; i++) {
      b.put((byte) i);
    }
    for (int i = 0; i < attributes.length; i += 2) {
      byte[] value = (byte[]) attributes[i + 1];
      b.putShort((short) (int) (Integer) attributes[i]).putShort((short) value.length).put(value);
      b.position((b.position() + 3) & ~3);
    }
    byte[] out = Arrays.copyOf(b.array(), b.position());
    ByteBuffer.wrap(out).putShort(2, (short) (out.length - StunWire.HEADER));
    return out;
  }

  /** The value of an XOR-PEER-ADDRESS attribute as ice4j encodes it. */
  private static byte[] xorPeer(InetSocketAddress peer, byte[] transaction) {
    byte[] attribute = AttributeFactory.createXorPeerAddressAttribute(new TransportAddress(peer, Transport.UDP),
        transaction).encode();
    return Arrays.copyOfRange(attribute, 4, attribute.length);
  }

  @Test
  @Timeout(10)
  void every_xor_peer_address_is_read_in_order_and_none_after_message_integrity() throws Exception {
    byte[] transaction = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    InetSocketAddress v4 = new InetSocketAddress("198.51.100.7", 4000);
    InetSocketAddress v6 = new InetSocketAddress("2001:db8::7", 4001);
    InetSocketAddress late = new InetSocketAddress("203.0.113.9", 4002);
    byte[] request = message(0x0008, 0x0012, xorPeer(v4, transaction), 0x0012, xorPeer(v6, transaction),
        0x0008, new byte[20], 0x0012, xorPeer(late, transaction));
    assertEquals(List.of(v4, v6), StunWire.xorPeerAddresses(request), "in order, up to MESSAGE-INTEGRITY");
    assertEquals(List.of(), StunWire.xorPeerAddresses(message(0x0008)));
    assertEquals(null, StunWire.xorPeerAddresses(message(0x0008, 0x0012, new byte[] {0, 3, 0, 0, 1, 2, 3, 4})),
        "family 3 is malformed");
    assertEquals(null, StunWire.xorPeerAddresses(message(0x0008, 0x0012, new byte[] {0, 2, 0, 0, 1, 2, 3, 4})),
        "an IPv6 family with 4 address bytes is malformed");
  }

  @Test
  void unauthorised_answers_are_capped_per_source_and_second() throws Exception {
    UnauthorizedLimiter limiter = new UnauthorizedLimiter(3);
    InetAddress source = InetAddress.getByName("198.51.100.1");
    assertTrue(limiter.allow(source, 10));
    assertTrue(limiter.allow(source, 10));
    assertTrue(limiter.allow(source, 10));
    assertFalse(limiter.allow(source, 10));
    assertTrue(limiter.allow(source, 11));
  }
}

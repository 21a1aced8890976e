package dev.switchboard.gateway;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Socket caps and the client address they count, without a network. */
class ConnectionCapsTest {

  @Test
  void each_address_gets_its_share_and_the_node_its_total() {
    ConnectionLimits limits = new ConnectionLimits(3, 2);
    assertNull(limits.tryAcquire("198.51.100.1"));
    assertNull(limits.tryAcquire("198.51.100.1"));
    assertEquals(ConnectionLimits.Refusal.TOO_MANY_FROM_ADDRESS, limits.tryAcquire("198.51.100.1"));
    assertNull(limits.tryAcquire("198.51.100.2"));
    assertEquals(ConnectionLimits.Refusal.NODE_FULL, limits.tryAcquire("198.51.100.3"));
    limits.release("198.51.100.1");
    assertNull(limits.tryAcquire("198.51.100.3"));
    assertEquals(3, limits.open());
    List.of("198.51.100.1", "198.51.100.2", "198.51.100.3").forEach(limits::release);
    assertEquals(0, limits.open());
    assertEquals(0, limits.openFrom("198.51.100.1"), "nothing is kept for an address with no socket");
  }

  @Test
  void forwarded_for_is_believed_only_from_trusted_proxies_and_only_as_far_as_they_go() {
    ClientAddress addresses = new ClientAddress(List.of("127.0.0.1/32", "10.0.0.0/8"));
    assertEquals("203.0.113.7", addresses.of("127.0.0.1", "203.0.113.7"));
    assertEquals("203.0.113.7", addresses.of("127.0.0.1", "198.51.100.1, 203.0.113.7, 10.1.2.3"),
        "the right-most address that is not a proxy is the client; what it wrote to the left is its own claim");
    assertEquals("192.0.2.5", addresses.of("192.0.2.5", "203.0.113.7"), "an untrusted peer cannot pick its address");
    assertEquals("127.0.0.1", addresses.of("127.0.0.1", null));
    assertEquals("127.0.0.1", addresses.of("127.0.0.1", "evil.example, "), "garbage is not an address");
    assertEquals("10.9.9.9", addresses.of("127.0.0.1", "10.9.9.9"), "only proxies all the way: the last one is it");
    assertEquals("2001:db8::1", addresses.of("127.0.0.1", "2001:db8::1"));
  }
}

package dev.switchboard.turn;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerPolicyTest {
  private final PeerPolicy secure = new PeerPolicy(List.of(), List.of(ip("203.0.113.7")));

  private static InetAddress ip(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static InetAddress raw6(String hex) throws Exception {
    return Inet6Address.getByAddress(null, HexFormat.of().parseHex(hex), -1);
  }

  @Test
  void ipv6_spellings_of_ipv4_are_canonicalised() throws Exception {
    assertEquals(ip("127.0.0.1"), PeerPolicy.canonical(raw6("00000000000000000000ffff7f000001")));
    assertEquals(ip("127.0.0.1"), PeerPolicy.canonical(raw6("0000000000000000000000007f000001")));
    assertEquals(ip("10.0.0.1"), PeerPolicy.canonical(raw6("0064ff9b00000000000000000a000001")));
    assertEquals(ip("192.168.1.1"), PeerPolicy.canonical(raw6("2002c0a8010100000000000000000001")));
    assertEquals(ip("::1"), PeerPolicy.canonical(ip("::1")), "::1 is not an IPv4-compatible address");
    assertEquals(ip("2001:db8::1"), PeerPolicy.canonical(ip("2001:db8::1")));
  }

  @Test
  void internal_special_and_own_addresses_are_refused_by_default() throws Exception {
    for (String denied : List.of("0.1.2.3", "127.0.0.1", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1",
        "100.64.0.1", "169.254.0.1", "224.0.0.251", "239.1.1.1", "255.255.255.255", "::", "::1", "fc00::1", "fd12::1",
        "fe80::1", "ff02::1", "203.0.113.7")) {
      assertFalse(secure.permits(ip(denied)), denied);
    }
    assertFalse(secure.permits(raw6("00000000000000000000ffff7f000001")), "::ffff:127.0.0.1 (CVE-2026-27624)");
    assertFalse(secure.permits(raw6("0064ff9b00000000000000000a000001")), "NAT64 spelling of 10.0.0.1");
    assertFalse(secure.permits(raw6("20020a00000100000000000000000001")), "6to4 spelling of 10.0.0.1");
  }

  @Test
  void public_addresses_pass() {
    for (String allowed : List.of("8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:db8::1", "198.51.100.1")) {
      assertTrue(secure.permits(ip(allowed)), allowed);
    }
  }

  @Test
  void the_allow_list_admits_what_it_names_and_nothing_else() throws Exception {
    PeerPolicy tests = new PeerPolicy(List.of("127.0.0.1/32"), List.of(ip("127.0.0.1")));
    assertTrue(tests.permits(ip("127.0.0.1")));
    assertTrue(tests.permits(raw6("00000000000000000000ffff7f000001")));
    assertFalse(tests.permits(ip("127.0.0.2")));
    assertFalse(tests.permits(ip("10.0.0.1")));
  }

  @Test
  void the_ietf_protocol_and_benchmarking_ranges_are_refused() {
    for (String denied : List.of("192.0.0.1", "192.0.0.255", "198.18.0.1", "198.19.255.254")) {
      assertFalse(secure.permits(ip(denied)), denied);
    }
    assertTrue(secure.permits(ip("198.20.0.1")), "just past 198.18.0.0/15");
    assertTrue(secure.permits(ip("192.0.1.1")), "just past 192.0.0.0/24");
  }

  @Test
  void every_address_of_the_hosts_own_interfaces_is_refused() throws Exception {
    PeerPolicy policy = new PeerPolicy(List.of(), List.of());
    int checked = 0;
    for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress own : java.util.Collections.list(nic.getInetAddresses())) {
        // the zone id (fe80::1%eth0) is not part of the address a peer names
        InetAddress bare = InetAddress.getByAddress(own.getAddress());
        assertFalse(policy.permits(bare), nic.getName() + " " + bare.getHostAddress());
        checked++;
      }
    }
    assertTrue(checked > 0, "the host has interface addresses");
  }

  @Test
  void media_node_address_is_admitted_but_not_its_neighbours() throws Exception {
    InetSocketAddress mediaNode = new InetSocketAddress(ip("127.0.0.1"), 40000);
    PeerPolicy policy = secure.admitting(mediaNode);
    assertTrue(policy.permits(mediaNode), "the media node's announced ip:port, although loopback is denied");
    assertTrue(policy.permits(new InetSocketAddress(raw6("00000000000000000000ffff7f000001"), 40000)),
        "its IPv6-mapped spelling is the same address");
    assertFalse(policy.permits(new InetSocketAddress(ip("127.0.0.1"), 40001)), "another port on its IP");
    assertFalse(policy.permits(new InetSocketAddress(ip("127.0.0.1"), 22)), "another port on its IP");
    assertFalse(policy.permits(new InetSocketAddress(ip("127.0.0.2"), 40000)), "its port on another denied IP");
    assertFalse(policy.permits(ip("127.0.0.1")), "its IP alone stays denied");
    assertFalse(secure.permits(mediaNode), "no exception unless one is made");
    assertTrue(policy.relays(mediaNode.getAddress(), 40000), "packets to and from the media node pass");
    assertFalse(policy.relays(mediaNode.getAddress(), 22), "a permission for its IP does not open its other ports");
    assertTrue(policy.relays(ip("198.51.100.1"), 22), "other permitted peers are not looked at again");
  }

  @Test
  void a_media_node_on_a_private_or_own_address_is_admitted_on_its_port_only() {
    for (String address : List.of("10.1.2.3", "192.168.7.9", "203.0.113.7")) {
      PeerPolicy policy = secure.admitting(new InetSocketAddress(ip(address), 5004));
      assertTrue(policy.permits(new InetSocketAddress(ip(address), 5004)), address);
      assertFalse(policy.permits(new InetSocketAddress(ip(address), 5005)), address + ", another port");
    }
    PeerPolicy publicNode = secure.admitting(new InetSocketAddress(ip("198.51.100.1"), 5004));
    assertTrue(publicNode.permits(new InetSocketAddress(ip("198.51.100.1"), 9)),
        "a public media node's other ports were never denied, and stay allowed");
  }
}

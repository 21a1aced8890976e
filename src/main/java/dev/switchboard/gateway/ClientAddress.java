package dev.switchboard.gateway;

import dev.switchboard.net.Cidr;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The address a connection really comes from. {@code X-Forwarded-For} is believed only when the connection
 * comes from a trusted proxy (Caddy), and then only as far as the chain of trusted proxies goes: the
 * right-most address not itself a trusted proxy is the client, so a client cannot pick its own address by
 * sending the header.
 */
public final class ClientAddress {
  private final List<Cidr> trustedProxies;

  public ClientAddress(List<String> trustedProxyCidrs) {
    this.trustedProxies = trustedProxyCidrs.stream().filter(s -> !s.isBlank()).map(Cidr::parse).toList();
  }

  /**
   * @param remote        the TCP peer's address
   * @param forwardedFor  the {@code X-Forwarded-For} header, or null
   */
  public String of(String remote, String forwardedFor) {
    if (forwardedFor == null || !trusted(remote)) {
      return remote;
    }
    String[] hops = forwardedFor.split(",");
    String client = remote;
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (hop.isEmpty() || !isLiteralAddress(hop)) {
        return client;
      }
      client = hop;
      if (!trusted(hop)) {
        return hop;
      }
    }
    return client;
  }

  private boolean trusted(String address) {
    byte[] bytes = literal(address);
    if (bytes == null) {
      return false;
    }
    for (Cidr cidr : trustedProxies) {
      if (cidr.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isLiteralAddress(String text) {
    return literal(text) != null;
  }

  /** The bytes of an IP literal; never a DNS lookup (a hostname in the header is not an address). */
  private static byte[] literal(String text) {
    String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (bare.isEmpty() || !(Character.digit(bare.charAt(0), 16) >= 0 || bare.charAt(0) == ':')
        || !bare.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
      return null;
    }
    try {
      return InetAddress.getByName(bare).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}

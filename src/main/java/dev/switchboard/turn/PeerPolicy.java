package dev.switchboard.turn;

import dev.switchboard.net.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Which peers a client may relay to. IPv6 spellings of IPv4 addresses (mapped, compatible, NAT64,
 * 6to4) are turned into the IPv4 address first, so {@code ::ffff:127.0.0.1} is judged as 127.0.0.1
 * (coturn's CVE-2026-27624). Internal, special and the relay's own addresses, and every address of the
 * host's interfaces, are refused unless the allow-list admits them: a peer on one of them would reach services
 * listening on this host (admin ports, the metrics endpoint) from outside, through the relay.
 *
 * <p>One exception can be made ({@link #admitting}): the local media node's announced ip:port is admitted even
 * where its IP is refused, and only that port. Permissions are per IP (RFC 8656 §9), so a permission granted for
 * the media node also covers the other ports of its IP: the data path asks {@link #relays} of every packet to
 * or from that IP, so that it never reaches another service on the media node's host.
 */
public final class PeerPolicy {
  private static final Logger LOG = Logger.getLogger(PeerPolicy.class.getName());
  private static final List<Cidr> DENIED_BY_DEFAULT = List.of(
      "0.0.0.0/8", "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
      "169.254.0.0/16", "192.0.0.0/24", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
      "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8").stream().map(Cidr::parse).toList();
  private static final byte[] NAT64 = {0x00, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

  private final List<Cidr> allowed;
  private final List<byte[]> own;
  /** The one ip:port admitted whatever the lists say (canonical), or null. */
  private final InetSocketAddress mediaNode;

  public PeerPolicy(List<String> allowedCidrs, List<InetAddress> relayAddresses) {
    this.allowed = allowedCidrs.stream().filter(s -> !s.isBlank()).map(Cidr::parse).toList();
    List<byte[]> ownAddresses = new ArrayList<>();
    relayAddresses.forEach(a -> ownAddresses.add(canonical(a).getAddress()));
    hostAddresses().forEach(a -> ownAddresses.add(canonical(a).getAddress()));
    this.own = List.copyOf(ownAddresses);
    this.mediaNode = null;
  }

  private PeerPolicy(PeerPolicy base, InetSocketAddress mediaNode) {
    this.allowed = base.allowed;
    this.own = base.own;
    this.mediaNode = mediaNode;
  }

  /**
   * This policy, admitting also the media node's announced address: exactly that ip:port, even when its IP is
   * refused (loopback, an address of this host, a private range). Other ports on that IP stay as they were.
   */
  public PeerPolicy admitting(InetSocketAddress mediaNode) {
    return new PeerPolicy(this, new InetSocketAddress(canonical(mediaNode.getAddress()), mediaNode.getPort()));
  }

  /** Whether a client may name this peer (CreatePermission, ChannelBind): the media node, or a permitted IP. */
  public boolean permits(InetSocketAddress peer) {
    if (mediaNode != null && peer.getPort() == mediaNode.getPort()
        && canonical(peer.getAddress()).equals(mediaNode.getAddress())) {
      return true;
    }
    return permits(peer.getAddress());
  }

  /**
   * Per relayed packet, to or from a peer whose IP has a permission: false only for another port on the media
   * node's IP when that IP is itself refused (its permission was granted for the media node alone).
   */
  public boolean relays(InetAddress peer, int port) {
    if (mediaNode == null || port == mediaNode.getPort()) {
      return true;
    }
    InetAddress address = canonical(peer);
    return !address.equals(mediaNode.getAddress()) || permits(address);
  }

  /** Every address of every interface, read once at start (an interface added later is not covered). */
  private static List<InetAddress> hostAddresses() {
    List<InetAddress> addresses = new ArrayList<>();
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          // without the zone (fe80::1%eth0): a peer address on the wire has none
          addresses.add(InetAddress.getByAddress(address.getAddress()));
        }
      }
    } catch (SocketException | UnknownHostException e) {
      LOG.log(Level.WARNING, "could not list the host's interface addresses; only the configured ones are refused", e);
    }
    return addresses;
  }

  public boolean permits(InetAddress peer) {
    byte[] address = canonical(peer).getAddress();
    for (Cidr cidr : allowed) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    for (byte[] mine : own) {
      if (Arrays.equals(mine, address)) {
        return false;
      }
    }
    for (Cidr cidr : DENIED_BY_DEFAULT) {
      if (cidr.contains(address)) {
        return false;
      }
    }
    return true;
  }

  /** The IPv4 address an IPv6 address stands for, or the address itself. */
  public static InetAddress canonical(InetAddress address) {
    byte[] b = address.getAddress();
    if (b.length != 16) {
      return address;
    }
    boolean firstTenZero = true;
    for (int i = 0; i < 10; i++) {
      firstTenZero &= b[i] == 0;
    }
    byte[] v4 = null;
    if (firstTenZero && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
      v4 = Arrays.copyOfRange(b, 12, 16); // ::ffff:a.b.c.d
    } else if (firstTenZero && b[10] == 0 && b[11] == 0 && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] & 0xfe) == 0)) {
      v4 = Arrays.copyOfRange(b, 12, 16); // ::a.b.c.d (IPv4-compatible), but not :: or ::1
    } else if (Arrays.equals(Arrays.copyOfRange(b, 0, 12), NAT64)) {
      v4 = Arrays.copyOfRange(b, 12, 16); // 64:ff9b::a.b.c.d
    } else if (b[0] == 0x20 && b[1] == 0x02) {
      v4 = Arrays.copyOfRange(b, 2, 6); // 2002:aabb:ccdd::/48 (6to4)
    }
    if (v4 == null) {
      return address;
    }
    try {
      return InetAddress.getByAddress(v4);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}

package dev.switchboard.support;

import java.util.List;

/**
 * Setup steps for {@link LoopbackNamespace} that add a veth pair (both ends inside that namespace) and a default
 * route through it. Firefox (and Janus) gather no ICE candidates when loopback is the only interface; with these
 * they gather {@link #PEER} or {@link #ADDRESS}, and what they send stays in the namespace like everything else.
 */
public final class VethPair {
  /** The address a server in the namespace binds to (e.g. the media node's media.host). */
  public static final String ADDRESS = "10.213.0.2";
  /** The other end: the default route's gateway. */
  public static final String PEER = "10.213.0.1";

  private VethPair() {
  }

  public static List<String> setup() {
    return List.of(
        "ip link add sb-veth0 type veth peer name sb-veth1",
        "ip addr add " + ADDRESS + "/24 dev sb-veth0",
        "ip addr add " + PEER + "/24 dev sb-veth1",
        "ip link set sb-veth0 up",
        "ip link set sb-veth1 up",
        "ip route add default via " + PEER);
  }
}

package dev.switchboard.turn.allocation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.DatagramChannel;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The relay port range without sockets: binds are counted, and refused when the test says a port is taken. */
@Timeout(10)
class RelayPortsTest {
  private final InetAddress ip = InetAddress.getLoopbackAddress();
  private final Set<Integer> heldElsewhere = new HashSet<>();

  private RelayPorts ports(int min, int max) {
    return new RelayPorts(min, max, address -> {
      if (heldElsewhere.contains(address.getPort())) {
        throw new IOException("in use");
      }
      return new NioRelaySocket(DatagramChannel.open());
    }, new Random(7));
  }

  @Test
  void a_full_range_is_refused_without_a_single_bind() throws Exception {
    RelayPorts ports = ports(50000, 50009);
    Set<Integer> handedOut = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      handedOut.add(ports.bind(ip, false, false).port());
    }
    assertEquals(10, handedOut.size(), "every port once");
    long attempts = ports.bindAttempts.sum();
    assertThrows(RelayPorts.NoPortFree.class, () -> ports.bind(ip, false, false));
    assertEquals(attempts, ports.bindAttempts.sum(), "known to be full without a system call");
  }

  @Test
  void ports_held_by_other_processes_cost_at_most_eight_binds_per_request() throws Exception {
    RelayPorts ports = ports(50000, 59999);
    for (int port = 50000; port <= 59999; port++) {
      heldElsewhere.add(port);
    }
    assertThrows(RelayPorts.NoPortFree.class, () -> ports.bind(ip, false, false));
    assertEquals(RelayPorts.MAX_BINDS, ports.bindAttempts.sum());
  }

  @Test
  void a_released_port_can_be_handed_out_again() throws Exception {
    RelayPorts ports = ports(50000, 50000);
    RelayPorts.Bound bound = ports.bind(ip, false, false);
    assertThrows(RelayPorts.NoPortFree.class, () -> ports.bind(ip, false, false));
    ports.release(ip, bound.port());
    assertEquals(50000, ports.bind(ip, false, false).port());
  }

  @Test
  void an_even_port_and_its_successor_are_taken_together() throws Exception {
    RelayPorts ports = ports(50000, 50007);
    heldElsewhere.add(50003);
    for (int i = 0; i < 3; i++) {
      RelayPorts.Bound pair = ports.bind(ip, true, true);
      assertEquals(0, pair.port() % 2, "even");
      assertTrue(pair.next() != null && pair.port() != 50002, "never the pair whose odd port is held elsewhere");
    }
    assertEquals(6, ports.inUse());
    assertThrows(RelayPorts.NoPortFree.class, () -> ports.bind(ip, true, true));
  }
}

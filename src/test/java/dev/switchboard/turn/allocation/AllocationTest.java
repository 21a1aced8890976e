package dev.switchboard.turn.allocation;

import dev.switchboard.support.FakeClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Permissions and channel bindings, each with its own lifetime, on a fake clock. */
@Timeout(5)
class AllocationTest {
  private final FakeClock clock = FakeClock.now();
  private final InetAddress ip = InetAddress.getLoopbackAddress();
  private final InetSocketAddress peer = new InetSocketAddress(ip, 5000);
  private final InetSocketAddress other = new InetSocketAddress(ip, 6000);
  private final Allocation allocation = new Allocation(FiveTuple.udp(peer, peer), null, "u", new byte[16], null, ip,
      50000, peer, new byte[12], clock.millis() + 600_000, 0);

  @Test
  void a_permission_lasts_its_lifetime_and_no_longer() {
    long now = clock.millis();
    assertEquals(Allocation.Change.OK, allocation.permit(List.of(ip), now, 300_000, 10));
    assertTrue(allocation.permitted(ip, now + 299_999));
    assertFalse(allocation.permitted(ip, now + 300_000), "expired before any sweep");
  }

  @Test
  void the_permission_cap_counts_live_permissions_only() throws Exception {
    long now = clock.millis();
    InetAddress second = InetAddress.getByName("127.0.0.2");
    assertEquals(Allocation.Change.OK, allocation.permit(List.of(ip), now, 300_000, 1));
    assertEquals(Allocation.Change.FULL, allocation.permit(List.of(second), now, 300_000, 1));
    assertEquals(Allocation.Change.OK, allocation.permit(List.of(ip), now + 1, 300_000, 1), "a refresh is not new");
    assertEquals(Allocation.Change.OK, allocation.permit(List.of(second), now + 400_000, 300_000, 1),
        "the first one expired");
  }

  @Test
  void a_channel_binds_one_number_to_one_peer_until_it_expires() {
    long now = clock.millis();
    assertEquals(Allocation.Change.OK, allocation.bindChannel(0x4000, peer, now, 600_000, 300_000, 10));
    assertTrue(allocation.permitted(ip, now), "binding a channel permits its peer");
    assertEquals(Allocation.Change.CONFLICT, allocation.bindChannel(0x4000, other, now, 600_000, 300_000, 10));
    assertEquals(Allocation.Change.CONFLICT, allocation.bindChannel(0x4001, peer, now, 600_000, 300_000, 10));
    assertNotNull(allocation.channel(0x4000, now + 599_999));
    assertNull(allocation.channel(0x4000, now + 600_000), "expired before any sweep");
    assertNull(allocation.channelTo(peer, now + 600_000));
  }

  @Test
  void nothing_changes_on_an_allocation_whose_lifetime_ran_out() {
    long late = allocation.expiresAt();
    assertEquals(Allocation.Change.ENDED, allocation.bindChannel(0x4000, peer, late, 600_000, 300_000, 10));
    assertEquals(Allocation.Change.ENDED, allocation.permit(List.of(ip), late, 300_000, 10));
    assertFalse(allocation.refresh(late, 600_000));
    assertTrue(allocation.endIfExpired(late));
    assertFalse(allocation.end(), "ended once");
  }
}

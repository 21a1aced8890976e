package dev.switchboard.turn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fuzz seeds reach what they are named after, so the corpus cannot rot silently: a seed that only ever got a
 * 401 after a change to the rig or the server fails here, not quietly in a fuzz run. Seeds are written by
 * {@link TurnFuzzSeeds}; after changing it, {@code mvn test -Dtest=TurnFuzzSeedsTest -Dfuzz.seeds.write=true}
 * writes them again.
 */
@Timeout(30)
class TurnFuzzSeedsTest {
  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static TurnFuzzChecks.Observed datagrams(String seed) {
    return TurnPacketFuzzTest.run(read(TurnFuzzSeeds.PACKET_SEEDS.resolve(seed)));
  }

  private static List<TurnFuzzChecks.Observed> stream(String seed) {
    return TurnStreamFuzzTest.run(read(TurnFuzzSeeds.STREAM_SEEDS.resolve(seed)));
  }

  @Test
  void the_committed_seeds_are_the_generated_ones() throws IOException {
    for (Map.Entry<Path, Map<String, byte[]>> seeds : Map.of(TurnFuzzSeeds.PACKET_SEEDS, TurnFuzzSeeds.datagrams(),
        TurnFuzzSeeds.STREAM_SEEDS, TurnFuzzSeeds.streams()).entrySet()) {
      for (Map.Entry<String, byte[]> seed : seeds.getValue().entrySet()) {
        Path file = seeds.getKey().resolve(seed.getKey());
        if (Boolean.getBoolean("fuzz.seeds.write")) {
          Files.createDirectories(file.getParent());
          Files.write(file, seed.getValue());
        }
        assertArrayEquals(seed.getValue(), read(file), file + " is not what TurnFuzzSeeds writes");
      }
    }
  }

  @Test
  void the_binding_seed_is_answered() {
    assertEquals(List.of("Binding ok"), datagrams("binding").answers);
  }

  @Test
  void the_unauthenticated_allocate_seed_is_challenged() {
    assertEquals(List.of("Allocate 401"), datagrams("allocate-unauthenticated").answers);
  }

  @Test
  void the_allocate_seed_makes_an_allocation() {
    TurnFuzzChecks.Observed observed = datagrams("allocate");
    assertEquals(List.of("Allocate ok"), observed.answers);
    assertEquals(1, observed.maxAllocations);
  }

  @Test
  void the_create_permission_seed_permits_both_of_its_peers() {
    TurnFuzzChecks.Observed observed = datagrams("create-permission");
    assertEquals(List.of("Allocate ok", "CreatePermission ok"), observed.answers);
    assertEquals(2, observed.maxPermissions);
  }

  @Test
  void the_channel_bind_seed_binds_a_channel() {
    TurnFuzzChecks.Observed observed = datagrams("channel-bind");
    assertEquals(List.of("Allocate ok", "ChannelBind ok"), observed.answers);
    assertEquals(1, observed.maxChannels);
  }

  @Test
  void the_send_indication_seed_is_relayed_to_its_peer() {
    TurnFuzzChecks.Observed observed = datagrams("send-indication");
    assertEquals(List.of("Allocate ok", "CreatePermission ok"), observed.answers);
    assertEquals(1, observed.relayed);
  }

  @Test
  void the_channel_data_seed_is_relayed_on_its_channel() {
    TurnFuzzChecks.Observed observed = datagrams("channel-data");
    assertEquals(List.of("Allocate ok", "ChannelBind ok"), observed.answers);
    assertEquals(1, observed.relayed);
  }

  @Test
  void the_refresh_seed_extends_then_deletes_the_allocation() {
    assertEquals(List.of("Allocate ok", "Refresh ok", "Refresh ok", "Refresh 437"), datagrams("refresh").answers);
  }

  @Test
  void the_stale_nonce_seed_gets_438() {
    assertEquals(List.of("Allocate 438"), datagrams("stale-nonce").answers);
  }

  @Test
  void the_peer_quota_seed_gets_486_at_the_quota_and_401_for_a_revoked_peer() {
    assertEquals(List.of("Allocate ok", "Allocate ok", "Allocate 486", "Allocate 401"), datagrams("peer-quota").answers);
  }

  @Test
  void the_expiry_seed_gets_437_once_the_allocation_ran_out_and_allocates_again_after_the_sweep() {
    assertEquals(List.of("Allocate ok", "ChannelBind 437", "Allocate ok"), datagrams("expiry").answers);
  }

  @Test
  void the_even_port_seed_reserves_the_next_port() {
    TurnFuzzChecks.Observed observed = datagrams("even-port");
    assertEquals(List.of("Allocate ok"), observed.answers);
    assertEquals(1, observed.maxReservations);
  }

  @Test
  void the_reservation_token_seed_allocates_the_reserved_port_once() {
    TurnFuzzChecks.Observed observed = datagrams("reservation-token");
    assertEquals(List.of("Allocate ok", "Allocate ok", "Allocate 508"), observed.answers);
    assertEquals(2, observed.held, "two allocations, the reservation redeemed by the second");
  }

  @Test
  void the_revocation_seed_ends_the_revoked_peers_allocation_at_the_sweep_and_refuses_the_next() {
    TurnFuzzChecks.Observed observed = datagrams("revocation");
    assertEquals(List.of("Allocate ok", "Binding ok", "Allocate 401"), observed.answers);
    assertEquals(0, observed.held);
  }

  @Test
  void the_ipv6_relay_seed_allocates_on_ipv6_and_relays_to_an_ipv6_peer() {
    TurnFuzzChecks.Observed observed = datagrams("ipv6-relay");
    assertEquals(List.of("Allocate ok", "CreatePermission ok"), observed.answers);
    assertEquals(1, observed.relayed);
  }

  @Test
  void the_tcp_conversation_seed_allocates_binds_and_relays_in_chunks_and_whole() {
    for (TurnFuzzChecks.Observed observed : stream("tcp-conversation")) {
      assertEquals(List.of("Binding ok", "Allocate ok", "ChannelBind ok", "Refresh ok"), observed.answers);
      assertEquals(2, observed.relayed, "the ChannelData and the Send indication");
    }
  }

  @Test
  void the_one_byte_reads_seed_comes_to_the_same_frames_as_the_whole_stream() {
    for (TurnFuzzChecks.Observed observed : stream("one-byte-reads")) {
      assertEquals(List.of("Binding ok", "Allocate ok", "CreatePermission ok"), observed.answers);
      assertEquals(2, observed.maxPermissions);
    }
  }

  @Test
  void the_not_turn_seed_ends_the_stream_after_its_binding() {
    for (TurnFuzzChecks.Observed observed : stream("not-turn")) {
      assertEquals(List.of("Binding ok"), observed.answers);
      assertEquals(1, observed.delivered);
    }
  }
}

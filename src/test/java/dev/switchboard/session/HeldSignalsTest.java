package dev.switchboard.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class HeldSignalsTest {
  @Test
  void signals_are_taken_per_room_in_arrival_order_and_only_once() {
    HeldSignals<String> held = new HeldSignals<>();
    held.offer("a", "a1", 10);
    held.offer("b", "b1", 10);
    held.offer("a", "a2", 10);
    assertEquals(List.of("a1", "a2"), held.take("a"));
    assertEquals(List.of(), held.take("a"));
    assertEquals(10, held.bytes());
    assertEquals(List.of("b1"), held.takeAll());
    assertEquals(0, held.size());
  }

  @Test
  void the_count_bound_refuses_the_signal_over_it() {
    HeldSignals<Integer> held = new HeldSignals<>(3, 1_000);
    for (int i = 0; i < 3; i++) {
      assertTrue(held.offer("r", i, 1));
    }
    assertFalse(held.offer("r", 3, 1));
    assertEquals(3, held.size());
  }

  @Test
  void the_byte_bound_refuses_the_signal_over_it() {
    HeldSignals<Integer> held = new HeldSignals<>(100, 256 * 1024);
    assertTrue(held.offer("r", 1, 200 * 1024));
    assertFalse(held.offer("r", 2, 57 * 1024));
    assertTrue(held.offer("r", 3, 56 * 1024));
    assertEquals(256 * 1024, held.bytes());
  }
}

package dev.switchboard.media.forward;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(10)
class SsrcMapTest {
  @Test
  void it_agrees_with_a_hash_map_through_random_puts_and_removes_including_ssrc_0() {
    SsrcMap<Integer> map = new SsrcMap<>();
    Map<Integer, Integer> reference = new HashMap<>();
    Random random = new Random(3);
    for (int i = 0; i < 200_000; i++) {
      int key = random.nextInt(300) - 150; // few keys: long probe runs, many removals inside them
      if (random.nextInt(3) == 0) {
        assertEquals(reference.remove(key), map.remove(key));
      } else {
        assertEquals(reference.put(key, i), map.put(key, i));
      }
      int probe = random.nextInt(300) - 150;
      assertEquals(reference.get(probe), map.get(probe));
      assertEquals(reference.size(), map.size());
    }
  }
}

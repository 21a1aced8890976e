package dev.switchboard.media.forward;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(5)
class PacketCacheTest {
  private static final long SECOND = 1_000_000_000L;

  private static byte[] packet(int seq, int len) {
    byte[] p = new byte[len];
    for (int i = 0; i < len; i++) {
      p[i] = (byte) (seq * 31 + i);
    }
    return p;
  }

  @Test
  void a_stored_packet_comes_back_as_a_copy_of_its_bytes() {
    PacketCache cache = new PacketCache(8, 1500, SECOND);
    byte[] buf = new byte[2000];
    System.arraycopy(packet(42, 1200), 0, buf, 100, 1200);
    assertTrue(cache.put(42, buf, 100, 1200, 0));
    buf[100] = 0; // the caller reuses its buffer
    assertArrayEquals(packet(42, 1200), cache.get(42, 1));
    byte[] dst = new byte[1600];
    assertEquals(1200, cache.copy(42, 1, dst, 16));
    assertEquals(packet(42, 1200)[5], dst[21]);
  }

  @Test
  void a_missing_or_overwritten_packet_is_null() {
    PacketCache cache = new PacketCache(4, 100, SECOND);
    for (int seq = 0; seq < 6; seq++) {
      cache.put(seq, packet(seq, 50), 0, 50, 0);
    }
    assertNull(cache.get(0, 0), "overwritten by 4");
    assertNull(cache.get(1, 0), "overwritten by 5");
    assertArrayEquals(packet(5, 50), cache.get(5, 0));
    assertNull(cache.get(6, 0), "never stored");
    assertEquals(-1, cache.copy(1, 0, new byte[100], 0));
  }

  @Test
  void numbers_wrap_at_65535_to_0() {
    PacketCache cache = new PacketCache(8, 100, SECOND);
    for (int seq : new int[] {65533, 65534, 65535, 0, 1}) {
      cache.put(seq, packet(seq, 20), 0, 20, 0);
    }
    assertArrayEquals(packet(65535, 20), cache.get(65535, 0));
    assertArrayEquals(packet(0, 20), cache.get(0, 0));
    assertArrayEquals(packet(65533, 20), cache.get(65533, 0));
  }

  @Test
  void a_late_packet_does_not_evict_a_newer_one_from_its_slot() {
    PacketCache cache = new PacketCache(4, 100, SECOND);
    cache.put(9, packet(9, 20), 0, 20, 0);
    assertFalse(cache.put(5, packet(5, 20), 0, 20, 0));
    assertArrayEquals(packet(9, 20), cache.get(9, 0));
    assertNull(cache.get(5, 0));
  }

  @Test
  void a_packet_older_than_the_max_age_is_gone() {
    PacketCache cache = new PacketCache(8, 100, SECOND);
    cache.put(1, packet(1, 20), 0, 20, 0);
    assertTrue(cache.contains(1, SECOND));
    assertFalse(cache.contains(1, SECOND + 1));
  }

  @Test
  void a_packet_too_long_for_a_slot_is_refused() {
    PacketCache cache = new PacketCache(8, 100, SECOND);
    assertFalse(cache.put(1, new byte[101], 0, 101, 0));
    assertEquals(1, cache.refusedTooLong());
  }

  @Test
  void memory_is_fixed_at_construction_and_storing_does_not_allocate() {
    PacketCache cache = new PacketCache(512, 1500, SECOND);
    assertTrue(cache.memoryBytes() >= 512 * 1500 && cache.memoryBytes() < 512 * 1600);
    assertThrows(IllegalArgumentException.class, () -> new PacketCache(500, 1500, SECOND));
    byte[] p = packet(1, 1200);
    byte[] dst = new byte[1500];
    com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    cache.put(0, p, 0, 1200, 0);
    cache.copy(0, 0, dst, 0);
    long before = bean.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 100_000; i++) {
      cache.put(i & 0xFFFF, p, 0, 1200, i);
      cache.copy((i - 100) & 0xFFFF, i, dst, 0);
    }
    long allocated = bean.getCurrentThreadAllocatedBytes() - before;
    assertTrue(allocated < 4096, "allocated " + allocated);
  }
}

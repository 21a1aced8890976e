package dev.switchboard.media.forward;

import java.util.function.Consumer;

/**
 * A map from SSRC to a value that looks up without boxing or allocating (open addressing, linear probing), for the
 * per-packet lookups of the forwarding path. Every SSRC including 0 is a valid key. Single-threaded.
 */
final class SsrcMap<V> {
  private int[] keys;
  private Object[] values;
  private int size;

  SsrcMap() {
    keys = new int[16];
    values = new Object[16];
  }

  @SuppressWarnings("unchecked")
  V get(int ssrc) {
    int mask = keys.length - 1;
    for (int i = hash(ssrc) & mask; ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) {
        return null;
      }
      if (keys[i] == ssrc) {
        return (V) v;
      }
    }
  }

  boolean containsKey(int ssrc) {
    return get(ssrc) != null;
  }

  /** Puts a non-null value; returns the previous one. */
  @SuppressWarnings("unchecked")
  V put(int ssrc, V value) {
    if (value == null) {
      throw new NullPointerException("value");
    }
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    for (int i = hash(ssrc) & mask; ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) {
        keys[i] = ssrc;
        values[i] = value;
        size++;
        return null;
      }
      if (keys[i] == ssrc) {
        values[i] = value;
        return (V) v;
      }
    }
  }

  @SuppressWarnings("unchecked")
  V remove(int ssrc) {
    int mask = keys.length - 1;
    int i = hash(ssrc) & mask;
    while (values[i] != null && keys[i] != ssrc) {
      i = (i + 1) & mask;
    }
    Object removed = values[i];
    if (removed == null) {
      return null;
    }
    values[i] = null;
    size--;
    // backward-shift deletion: move later entries of the probe run into the hole so lookups still find them
    int hole = i;
    for (int j = (i + 1) & mask; values[j] != null; j = (j + 1) & mask) {
      int home = hash(keys[j]) & mask;
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        keys[hole] = keys[j];
        values[hole] = values[j];
        values[j] = null;
        hole = j;
      }
    }
    return (V) removed;
  }

  int size() {
    return size;
  }

  @SuppressWarnings("unchecked")
  void forEachValue(Consumer<V> action) {
    for (Object v : values) {
      if (v != null) {
        action.accept((V) v);
      }
    }
  }

  private void grow() {
    int[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    values = new Object[oldValues.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldValues[i] != null) {
        put(oldKeys[i], SsrcMap.<V>cast(oldValues[i]));
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object o) {
    return (T) o;
  }

  private static int hash(int ssrc) {
    int h = ssrc * 0x9E3779B9; // SSRCs are random already; this spreads sequential ones from specs
    return h ^ (h >>> 16);
  }
}

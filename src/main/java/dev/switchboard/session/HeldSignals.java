package dev.switchboard.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Signals held for a session whose socket is gone (or that resumed and has not rejoined their room yet),
 * in arrival order. Bounded in count and in bytes: a peer that never comes back must not make its node hold
 * an unbounded amount of other peers' SDP. The size of each signal is estimated once, by the caller.
 *
 * @param <T> the signal (kept opaque: this class knows no bus or JSON type)
 */
public final class HeldSignals<T> {
  public static final int MAX_SIGNALS = 256;
  public static final long MAX_BYTES = 256 * 1024;

  private record Held<T>(String room, T signal, int bytes) {
  }

  private final int maxSignals;
  private final long maxBytes;
  /** Made on the first signal held: most sessions never hold one (a few hundred bytes per idle socket). */
  private ArrayDeque<Held<T>> held;
  private long bytes;

  public HeldSignals(int maxSignals, long maxBytes) {
    this.maxSignals = maxSignals;
    this.maxBytes = maxBytes;
  }

  public HeldSignals() {
    this(MAX_SIGNALS, MAX_BYTES);
  }

  /** False, and nothing held, when this signal would go over either bound. */
  public boolean offer(String room, T signal, int estimatedBytes) {
    if (size() >= maxSignals || bytes + estimatedBytes > maxBytes) {
      return false;
    }
    if (held == null) {
      held = new ArrayDeque<>(4);
    }
    held.add(new Held<>(room, signal, estimatedBytes));
    bytes += estimatedBytes;
    return true;
  }

  /** The signals held for {@code room}, in order; they are no longer held. */
  public List<T> take(String room) {
    List<T> taken = new ArrayList<>();
    if (held == null) {
      return taken;
    }
    for (Iterator<Held<T>> it = held.iterator(); it.hasNext(); ) {
      Held<T> next = it.next();
      if (next.room().equals(room)) {
        taken.add(next.signal());
        bytes -= next.bytes();
        it.remove();
      }
    }
    return taken;
  }

  /** Every signal held, in order (for a hand-over); none is held any more. */
  public List<T> takeAll() {
    List<T> taken = new ArrayList<>(size());
    if (held != null) {
      held.forEach(h -> taken.add(h.signal()));
      held = null;
    }
    bytes = 0;
    return taken;
  }

  public int size() {
    return held == null ? 0 : held.size();
  }

  public long bytes() {
    return bytes;
  }
}

package dev.switchboard.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

/**
 * Opens peers at --connect-rate sockets per second, with at most a second's worth of handshakes in
 * flight (a server that slows down is not buried under queued connects). {@link #openUpTo} may be called
 * again with a higher target: that is how --report-at pauses at its milestones.
 */
final class Ramp {
  private final LoadRun run;
  private final LongFunction<LoadPeer> peerFor;
  private final AtomicInteger pending = new AtomicInteger();
  private final List<LoadPeer> joined = Collections.synchronizedList(new ArrayList<>());
  private final int maxPending;
  private final boolean heartbeats;
  private long next;

  /**
   * @param peerFor    the peer of each index, 0 upwards
   * @param heartbeats whether joined peers join their lane's heartbeat rota
   */
  Ramp(LoadRun run, LongFunction<LoadPeer> peerFor, boolean heartbeats) {
    this.run = run;
    this.peerFor = peerFor;
    this.heartbeats = heartbeats;
    this.maxPending = Math.max(64, run.options.connectRate());
  }

  /** Opens peers up to index {@code target} (exclusive) and waits until each joined or failed. */
  void openUpTo(long target) {
    long startedAt = System.nanoTime();
    long openedHere = 0;
    double rate = run.options.connectRate();
    while (next < target && !run.stopped()) {
      long due = (long) ((System.nanoTime() - startedAt) / 1e9 * rate) + 1;
      while (openedHere < due && next < target && pending.get() < maxPending) {
        open(peerFor.apply(next++));
        openedHere++;
      }
      run.sleep(5);
    }
    // settle: every handshake answered (a connect times out after 30 s at the latest)
    while (pending.get() > 0 && !run.sleep(10)) {
      // waiting
    }
  }

  private void open(LoadPeer peer) {
    pending.incrementAndGet();
    run.enter(peer).onComplete(entered -> {
      if (entered.succeeded()) {
        joined.add(peer);
        if (heartbeats) {
          peer.lane.heartbeat(peer);
        }
      }
      pending.decrementAndGet();
    });
  }

  /** The peers that joined, in the order they did. */
  List<LoadPeer> joined() {
    synchronized (joined) {
      return new ArrayList<>(joined);
    }
  }

  long opened() {
    return next;
  }
}

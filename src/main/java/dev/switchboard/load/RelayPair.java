package dev.switchboard.load;

import java.util.BitSet;

/**
 * Two peers of one room signalling each other, both ways, and checking the product's promises on what
 * arrives: every signal answered {@code ok} is delivered (lost = acknowledged but never received),
 * exactly once (duplicates) and in the order sent per sender→target pair (out of order), and only to its
 * target (misdelivered). Each signal's body is its sequence number in its direction. Both peers live on
 * one lane, so this state needs no lock.
 */
final class RelayPair {
  /** Refs of in-flight signals are kept in a ring this big (well above the largest window). */
  private static final int RING = 8192;

  private final LoadRun run;
  private final Direction forth;
  private final Direction back;
  private final double ratePerDirection;
  private final int windowPerDirection;
  private final LatencyHistogram ack;
  private volatile boolean running;
  private long startedAt;

  RelayPair(LoadRun run, LoadPeer a, LoadPeer b, double ratePerPair, int windowPerPair, LatencyHistogram ack) {
    this.run = run;
    this.ack = ack;
    this.forth = new Direction(a, b);
    this.back = new Direction(b, a);
    this.ratePerDirection = ratePerPair / 2;
    this.windowPerDirection = Math.max(1, windowPerPair / 2);
    a.listener = new Side(forth, back);
    b.listener = new Side(back, forth);
  }

  /** Starts signalling on the pair's lane: flat out (window kept full) or paced at the rate. */
  void start() {
    running = true;
    forth.sender.lane.context.runOnContext(v -> {
      startedAt = System.nanoTime();
      if (ratePerDirection == 0) {
        forth.fill();
        back.fill();
      } else {
        run.vertx.setPeriodic(10, id -> {
          if (!running) {
            run.vertx.cancelTimer(id);
            return;
          }
          double seconds = (System.nanoTime() - startedAt) / 1e9;
          forth.paced(seconds);
          back.paced(seconds);
        });
      }
    });
  }

  /** A peer of the pair, whose lane is the pair's. */
  LoadPeer lanePeer() {
    return forth.sender;
  }

  void stop() {
    running = false;
  }

  /** Signals sent and not yet answered, both ways. On the lane. */
  int inFlight() {
    return forth.inFlight + back.inFlight;
  }

  /** What a pair (or, summed, a run) sent and saw. */
  record Figures(long sent, long ok, long refused, long delivered, long lost, long duplicates, long outOfOrder,
                 long misdelivered) {
    static final Figures NONE = new Figures(0, 0, 0, 0, 0, 0, 0, 0);

    Figures plus(Figures o) {
      return new Figures(sent + o.sent, ok + o.ok, refused + o.refused, delivered + o.delivered, lost + o.lost,
          duplicates + o.duplicates, outOfOrder + o.outOfOrder, misdelivered + o.misdelivered);
    }
  }

  /** Figures of both directions, summed. On the lane, after the drain. */
  Figures figures() {
    return forth.figures().plus(back.figures());
  }

  /** What a peer hears: replies to its own signals, deliveries of its partner's. */
  private final class Side implements LoadPeer.Listener {
    private final Direction sending;
    private final Direction receiving;

    Side(Direction sending, Direction receiving) {
      this.sending = sending;
      this.receiving = receiving;
    }

    @Override
    public void onReply(LoadPeer peer, long ref, boolean ok, String reason) {
      sending.answered(ref, ok, reason);
    }

    @Override
    public void onSignal(LoadPeer peer, String from, long seq) {
      receiving.received(from, seq);
    }
  }

  /** One sender→target direction. */
  private final class Direction {
    final LoadPeer sender;
    final LoadPeer receiver;
    final long[] refs = new long[RING];
    final long[] seqs = new long[RING];
    final long[] sentAt = new long[RING];
    final BitSet acked = new BitSet();
    final BitSet received = new BitSet();
    long sent;
    long ok;
    long refused;
    long delivered;
    long duplicates;
    long outOfOrder;
    long misdelivered;
    long lastReceived = -1;
    int inFlight;

    Direction(LoadPeer sender, LoadPeer receiver) {
      this.sender = sender;
      this.receiver = receiver;
      java.util.Arrays.fill(refs, -1);
    }

    void fill() {
      while (running && inFlight < windowPerDirection) {
        send();
      }
    }

    void paced(double seconds) {
      long due = (long) (seconds * ratePerDirection) - sent;
      for (long i = 0; i < due && inFlight < windowPerDirection; i++) {
        send();
      }
    }

    void send() {
      long seq = sent++;
      long ref = sender.signal(receiver.id(), "relay", seq);
      int slot = (int) (ref % RING);
      refs[slot] = ref;
      seqs[slot] = seq;
      sentAt[slot] = System.nanoTime();
      inFlight++;
    }

    void answered(long ref, boolean wasOk, String reason) {
      int slot = (int) (Math.max(ref, 0) % RING);
      if (ref < 0 || refs[slot] != ref) {
        run.stats.error("reply_to_unknown_ref");
        return;
      }
      refs[slot] = -1;
      inFlight--;
      if (wasOk) {
        ok++;
        acked.set((int) seqs[slot]);
        long elapsed = System.nanoTime() - sentAt[slot];
        ack.recordNanos(elapsed);
        run.stats.progressLatency.recordNanos(elapsed);
      } else {
        refused++;
        run.stats.error("signal_refused: " + reason);
      }
      if (running && ratePerDirection == 0) {
        fill();
      }
    }

    void received(String from, long seq) {
      if (from == null || !from.equals(sender.id()) || seq < 0) {
        misdelivered++;
        run.stats.error("signal_from_unexpected_peer");
        return;
      }
      delivered++;
      run.stats.delivered.increment();
      if (received.get((int) seq)) {
        duplicates++;
        run.stats.error("duplicate_signal");
        return;
      }
      received.set((int) seq);
      if (seq < lastReceived) {
        outOfOrder++;
        run.stats.error("signal_out_of_order");
      }
      lastReceived = Math.max(lastReceived, seq);
    }

    Figures figures() {
      return new Figures(sent, ok, refused, delivered, lost(), duplicates, outOfOrder, misdelivered);
    }

    /** Acknowledged but never received. */
    long lost() {
      BitSet missing = (BitSet) acked.clone();
      missing.andNot(received);
      return missing.cardinality();
    }
  }
}

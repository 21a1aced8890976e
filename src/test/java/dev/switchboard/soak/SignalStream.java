package dev.switchboard.soak;

import java.util.ArrayDeque;
import java.util.BitSet;

/**
 * The numbered signals of one sender→target pair within one epoch (both sockets up): what was sent, how
 * each push was answered, what the target received. A signal answered {@code ok} must be received exactly
 * once and in order; one answered with an error must not be received; one whose push went unanswered
 * (socket closed) may go either way. Replies are judged {@code grace} after they came, so a delivery
 * racing its own reply is not miscounted.
 */
final class SignalStream {
  final String id;
  final String label;
  final String from;
  final String to;
  private final BitSet ok = new BitSet();
  private final BitSet error = new BitSet();
  private final BitSet received = new BitSet();
  private final BitSet lost = new BitSet();
  private final java.util.Map<Integer, String> errorReasons = new java.util.HashMap<>();
  /** {seq, nanoTime of the reply}, in reply order. */
  private final ArrayDeque<long[]> replied = new ArrayDeque<>();
  private int next;
  private int inFlight;
  private int maxReceived = -1;
  private String endedBy;
  private double endedAt;
  private long doneAt;

  SignalStream(String id, String label, String from, String to) {
    this.id = id;
    this.label = label;
    this.from = from;
    this.to = to;
  }

  /** The next sequence number, or -1 once the stream ended. */
  synchronized int next() {
    if (endedBy != null) {
      return -1;
    }
    inFlight++;
    return next++;
  }

  /** Sending stops; signals still in flight are judged as their replies come. */
  synchronized void end(String why, double atSeconds) {
    if (endedBy == null) {
      endedBy = why;
      endedAt = atSeconds;
    }
  }

  /** @param outcome {@code ok}, a server reason, or {@code socket_closed}/{@code no_reply} (no answer) */
  synchronized void replied(int seq, String outcome, long now) {
    inFlight--;
    if ("ok".equals(outcome)) {
      ok.set(seq);
    } else if ("socket_closed".equals(outcome) || "no_reply".equals(outcome)) {
      return; // not answered: delivered or not, both are acceptable
    } else {
      error.set(seq);
      errorReasons.put(seq, outcome);
    }
    replied.add(new long[] {seq, now});
  }

  /** @return what is wrong with this reception: null, or a check name (duplicate, out_of_order, late, never_sent) */
  synchronized String received(int seq) {
    if (seq < 0 || seq >= next) {
      return "misdelivered";
    }
    if (received.get(seq)) {
      return "duplicate";
    }
    received.set(seq);
    if (lost.get(seq)) {
      lost.clear(seq);
      return "late";
    }
    if (seq < maxReceived) {
      return "out_of_order";
    }
    maxReceived = seq;
    return null;
  }

  /**
   * Judges the replies older than {@code grace} (all of them when {@code force}).
   *
   * @return true when the stream ended, nothing is in flight and everything was judged long enough ago
   */
  synchronized boolean sweep(long now, long grace, boolean force, Ledger ledger) {
    while (!replied.isEmpty() && (force || now - replied.peek()[1] >= grace)) {
      long[] reply = replied.poll();
      int seq = (int) reply[0];
      double at = ledger.secondsAt(reply[1]);
      String reason = errorReasons.remove(seq);
      if (ok.get(seq) && !received.get(seq)) {
        lost.set(seq);
        ledger.failure("lost", this, seq, String.format("answered ok at %.1fs, not received", at));
      } else if (error.get(seq) && received.get(seq)) {
        ledger.failure("error_but_delivered", this, seq, String.format("answered %s at %.1fs", reason, at));
      }
    }
    if (endedBy == null || inFlight > 0 || !replied.isEmpty()) {
      return false;
    }
    if (doneAt == 0) {
      doneAt = now;
    }
    return force || now - doneAt > 3 * grace;
  }

  synchronized String describe() {
    return String.format("%s %s %s->%s sent %d, received up to %d%s", label, id, abbreviate(from), abbreviate(to),
        next, maxReceived, endedBy == null ? "" : String.format(", ended at %.1fs (%s)", endedAt, endedBy));
  }

  static String abbreviate(String peerId) {
    return peerId == null ? "?" : peerId.length() <= 8 ? peerId : peerId.substring(0, 8);
  }
}

package dev.switchboard.gateway;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Per-pair order across relay paths, for one sender. Each path keeps a pair's signals in order on its own (the
 * registry runs a sender's checks in turn; a direct write runs on the target's loop in submission order; bus
 * messages from one loop to one address stay in order), but two paths do not keep order between each other.
 * So a pair's signal starts on a path only when none of that pair's signals is still in flight on another;
 * otherwise it waits, with every later signal of the pair behind it. The path is chosen when the signal
 * starts, from what the gateway knows then.
 *
 * <p>Bounded by the sender's pushes in flight (the channel caps them). Owned by the sender's event loop.
 *
 * @param <L> the path
 */
final class SignalLanes<L> {
  private static final class Pair<L> {
    L lane;
    int inFlight;
    final ArrayDeque<Waiting<L>> waiting = new ArrayDeque<>();
  }

  private record Waiting<L>(Supplier<L> choose, Function<L, Future<Void>> send, Promise<Void> done) {
  }

  /** Made on the first signal: most sockets of a big node are idle, and each has its lanes. */
  private Map<String, Pair<L>> pairs;

  /**
   * Sends one signal to {@code target}: {@code choose} picks the path when the signal starts, {@code send}
   * sends it on that path. Completes as the send does.
   */
  Future<Void> submit(String target, Supplier<L> choose, Function<L, Future<Void>> send) {
    if (pairs == null) {
      pairs = new HashMap<>(4);
    }
    Pair<L> pair = pairs.get(target);
    if (pair == null) {
      pair = new Pair<>();
      pairs.put(target, pair);
    }
    if (pair.waiting.isEmpty()) {
      L lane = choose.get();
      if (pair.inFlight == 0 || lane.equals(pair.lane)) {
        return start(target, pair, lane, send);
      }
    }
    Promise<Void> done = Promise.promise();
    pair.waiting.add(new Waiting<>(choose, send, done));
    return done.future();
  }

  private Future<Void> start(String target, Pair<L> pair, L lane, Function<L, Future<Void>> send) {
    pair.lane = lane;
    pair.inFlight++;
    Future<Void> sent;
    try {
      sent = send.apply(lane);
    } catch (RuntimeException e) {
      sent = Future.failedFuture(e);
    }
    return sent.andThen(done -> finished(target, pair));
  }

  private void finished(String target, Pair<L> pair) {
    pair.inFlight--;
    while (!pair.waiting.isEmpty()) {
      Waiting<L> next = pair.waiting.peek();
      L lane = next.choose().get();
      if (pair.inFlight > 0 && !lane.equals(pair.lane)) {
        return; // that path changed: it waits for the pair's signals still in flight
      }
      pair.waiting.poll();
      start(target, pair, lane, next.send()).onComplete(next.done());
    }
    if (pair.inFlight == 0 && pairs.get(target) == pair) {
      pairs.remove(target);
    }
  }

  /** Pairs with signals in flight or waiting. */
  int pairsActive() {
    return pairs == null ? 0 : pairs.size();
  }
}

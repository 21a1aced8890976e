package dev.switchboard.gateway;

import dev.switchboard.bus.BusFailure;
import dev.switchboard.channel.ChannelError;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The 3 s within which a direct delivery must be confirmed, as a bus request's timeout would have it
 * ({@code delivery_timeout}: the frame may still be written later, the signal is not acknowledged), without a
 * timer per signal: deliveries are queued in the order they started and a periodic {@link #sweep} fails the
 * overdue ones at the head. Owned by one event loop; every delivery it watches completes on that loop.
 */
final class DeliveryDeadlines {
  private record Watched(Promise<Void> outcome, long startedNanos) {
  }

  private final long timeoutNanos;
  private final LongSupplier nanoClock;
  private final ArrayDeque<Watched> watched = new ArrayDeque<>();

  DeliveryDeadlines(long timeoutNanos, LongSupplier nanoClock) {
    this.timeoutNanos = timeoutNanos;
    this.nanoClock = nanoClock;
  }

  /** {@code delivery}, or a {@code delivery_timeout} failure if the sweep finds it unconfirmed past the deadline. */
  Future<Void> watch(Future<Void> delivery) {
    if (delivery.isComplete()) {
      return delivery;
    }
    // confirmations come mostly in order: the head is kept short without waiting for the sweep
    while (!watched.isEmpty() && watched.peek().outcome().future().isComplete()) {
      watched.poll();
    }
    Promise<Void> outcome = Promise.promise();
    delivery.onComplete(outcome::tryComplete, outcome::tryFail);
    watched.add(new Watched(outcome, nanoClock.getAsLong()));
    return outcome.future();
  }

  /** Drops the confirmed deliveries at the head and fails the overdue ones; the rest are younger. */
  void sweep() {
    long now = nanoClock.getAsLong();
    while (!watched.isEmpty()) {
      Watched head = watched.peek();
      if (!head.outcome().future().isComplete()) {
        if (now - head.startedNanos() < timeoutNanos) {
          return;
        }
        head.outcome().tryFail(new ChannelError(BusFailure.DELIVERY_TIMEOUT));
      }
      watched.poll();
    }
  }

  /** Deliveries started and not yet swept away (confirmed ones leave at the next sweep). */
  int size() {
    return watched.size();
  }
}

package dev.switchboard.support;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.impl.EventBusImpl;
import io.vertx.core.impl.utils.ConcurrentCyclicSequence;

import java.lang.reflect.Field;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The event-bus handlers registered in a Vert.x instance, by address: what each socket costs in consumers.
 * Vert.x has no API for it, so this reads the bus's handler map (a test-only look inside).
 */
public final class BusRegistrations {
  private BusRegistrations() {
  }

  /** Handlers per address (a clustered consumer also holds one cluster subscription per address). */
  public static Map<String, Integer> byAddress(Vertx vertx) {
    try {
      Field field = EventBusImpl.class.getDeclaredField("handlerMap");
      field.setAccessible(true);
      @SuppressWarnings("unchecked")
      ConcurrentMap<String, ConcurrentCyclicSequence<?>> handlers =
          (ConcurrentMap<String, ConcurrentCyclicSequence<?>>) field.get(vertx.eventBus());
      Map<String, Integer> counts = new TreeMap<>();
      handlers.forEach((address, holders) -> counts.put(address, holders.size()));
      return counts;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("the event bus's handler map is not readable", e);
    }
  }

  /** Every handler registered, over all addresses. */
  public static int total(Vertx vertx) {
    return byAddress(vertx).values().stream().mapToInt(Integer::intValue).sum();
  }
}

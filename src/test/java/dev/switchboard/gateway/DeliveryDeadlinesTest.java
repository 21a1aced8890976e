package dev.switchboard.gateway;

import dev.switchboard.channel.ChannelError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A direct delivery not confirmed within its deadline is answered delivery_timeout, as a bus request would be. */
class DeliveryDeadlinesTest {
  private final AtomicLong now = new AtomicLong();
  private final DeliveryDeadlines deadlines = new DeliveryDeadlines(3_000, now::get);

  @Test
  void an_unconfirmed_delivery_fails_with_delivery_timeout_at_the_first_sweep_past_its_deadline() {
    Promise<Void> write = Promise.promise();
    Future<Void> watched = deadlines.watch(write.future());
    now.set(2_999);
    deadlines.sweep();
    assertFalse(watched.isComplete());
    now.set(3_000);
    deadlines.sweep();
    assertTrue(watched.failed());
    assertEquals("delivery_timeout", ((ChannelError) watched.cause()).reason());
    write.complete(); // written late: the sender was told already
    assertTrue(watched.failed());
    assertEquals(0, deadlines.size());
  }

  @Test
  void confirmed_deliveries_leave_without_a_sweep_and_keep_their_outcome() {
    Promise<Void> first = Promise.promise();
    Future<Void> watched = deadlines.watch(first.future());
    first.complete();
    assertTrue(watched.succeeded());
    Promise<Void> second = Promise.promise();
    deadlines.watch(second.future());
    assertEquals(1, deadlines.size(), "the confirmed head went when the next one came");
    assertTrue(deadlines.watch(Future.succeededFuture()).succeeded());
  }
}

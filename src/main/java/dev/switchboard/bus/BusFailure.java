package dev.switchboard.bus;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Refusals travel as {@code message.fail(REFUSED, reason)} with a stable short reason; anything else
 * (timeout, no handler, a crash) reads as the registry being unavailable.
 */
public final class BusFailure {
  public static final int REFUSED = 400;
  public static final String REGISTRY_UNAVAILABLE = "registry_unavailable";

  private BusFailure() {
  }

  /** The client-facing reason for a failed registry request. */
  public static String reasonOf(Throwable failure) {
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() == REFUSED && reply.getMessage() != null) {
      return reply.getMessage();
    }
    return REGISTRY_UNAVAILABLE;
  }
}

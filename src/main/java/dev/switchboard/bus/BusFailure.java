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
  /** The target's socket did not confirm in time; the signal may still arrive late, it is not acknowledged. */
  public static final String DELIVERY_TIMEOUT = "delivery_timeout";
  public static final String UNKNOWN_PEER = "unknown_peer";
  /** No media node answers for the room, or it is full. */
  public static final String MEDIA_UNAVAILABLE = "media_unavailable";

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

  /** The client-facing reason for a failed media request: the node's own refusal, or it is not there. */
  public static String mediaReasonOf(Throwable failure) {
    if (failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && reply.failureCode() == REFUSED && reply.getMessage() != null) {
      return reply.getMessage();
    }
    return MEDIA_UNAVAILABLE;
  }

  /** No reply in time: the recipient may still have acted on the request. */
  public static boolean isTimeout(Throwable failure) {
    return failure instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT;
  }

  /**
   * The client-facing reason for a signal its target did not confirm: the target's own refusal, no socket
   * at its address any more ({@code unknown_peer}), or no answer in time.
   */
  public static String deliveryReasonOf(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.failureCode() == REFUSED
          && reply.getMessage() != null) {
        return reply.getMessage();
      }
      if (reply.failureType() == ReplyFailure.NO_HANDLERS) {
        return UNKNOWN_PEER;
      }
    }
    return DELIVERY_TIMEOUT;
  }
}

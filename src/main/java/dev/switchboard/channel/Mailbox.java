package dev.switchboard.channel;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * Outbound frames for a channel whose join is still completing, kept in order (Phoenix keeps them in the
 * channel process's mailbox). Bounded by count and bytes: what does not fit is refused at once, so a
 * sender learns its signal was not delivered instead of it being held without limit.
 */
final class Mailbox {
  private final int maxFrames;
  private final int maxBytes;
  /** Made on the first frame held: most joins complete before anything is sent to them. */
  private ArrayDeque<Held> held;
  private int bytes;

  private record Held(String frame, Promise<Void> written) {
  }

  Mailbox(int maxFrames, int maxBytes) {
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
  }

  /** @return completes when the frame is written after the join, fails if the join fails or the box is full */
  Future<Void> hold(String frame) {
    if (held == null) {
      held = new ArrayDeque<>(4);
    }
    if (held.size() >= maxFrames || bytes + frame.length() > maxBytes) {
      return Future.failedFuture(new ChannelError(ChannelError.PEER_UNREACHABLE));
    }
    Promise<Void> written = Promise.promise();
    held.add(new Held(frame, written));
    bytes += frame.length();
    return written.future();
  }

  /** Writes everything held, in order, through {@code send}. */
  void flush(Function<String, Future<Void>> send) {
    Held next;
    while (held != null && (next = held.poll()) != null) {
      send.apply(next.frame).onComplete(next.written);
    }
    held = null;
    bytes = 0;
  }

  void failAll(String reason) {
    Held next;
    while (held != null && (next = held.poll()) != null) {
      next.written.tryFail(new ChannelError(reason));
    }
    held = null;
    bytes = 0;
  }
}

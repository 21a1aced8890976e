package dev.switchboard.channel;

import java.util.ArrayDeque;

/**
 * Frames that arrived while one of the socket's joins or leaves was in flight, in order. Bounded by count
 * and by bytes of frame text: a client that keeps sending while it waits is refused, not buffered.
 */
final class Backlog {
  record Waiting(Frame frame, int length) {
  }

  private final int maxFrames;
  private final int maxBytes;
  private ArrayDeque<Waiting> frames;
  private int bytes;

  Backlog(int maxFrames, int maxBytes) {
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
  }

  /** @return false when the frame does not fit */
  boolean offer(Frame frame, int length) {
    if (frames == null) {
      frames = new ArrayDeque<>(4);
    }
    if (frames.size() >= maxFrames || bytes + length > maxBytes) {
      return false;
    }
    frames.add(new Waiting(frame, length));
    bytes += length;
    return true;
  }

  /** The oldest waiting frame, or null. */
  Waiting poll() {
    Waiting next = frames == null ? null : frames.poll();
    if (next != null) {
      bytes -= next.length();
    }
    return next;
  }

  void clear() {
    frames = null;
    bytes = 0;
  }
}

package dev.switchboard.channel;

/** Remembers since when a socket's outbound queue has been full, sample after sample. */
final class SlowReaderWatch {
  private boolean full;
  private long fullSince;

  /** @return true when the queue was full at every sample for at least {@code limitNanos} */
  boolean overdue(boolean fullNow, long now, long limitNanos) {
    if (!fullNow) {
      full = false;
      return false;
    }
    if (!full) {
      full = true;
      fullSince = now;
      return false;
    }
    return now - fullSince >= limitNanos;
  }
}

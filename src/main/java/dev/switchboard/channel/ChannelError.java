package dev.switchboard.channel;

/**
 * A refusal that goes back to the client as {@code {"status":"error","response":{"reason":...}}}.
 * Reasons are short stable codes, never exception messages.
 */
public final class ChannelError extends RuntimeException {
  public ChannelError(String reason) {
    super(reason, null, false, false);
  }

  public String reason() {
    return getMessage();
  }
}

package dev.switchboard.channel;

/**
 * A refusal that goes back to the client as {@code {"status":"error","response":{"reason":...}}}.
 * Reasons are short stable codes, never exception messages.
 */
public final class ChannelError extends RuntimeException {
  /** The target's socket cannot take the frame now (closed, closing, or its outbound queue is full). */
  public static final String PEER_UNREACHABLE = "peer_unreachable";
  /** The target is connected but has not joined the topic the frame is for. */
  public static final String UNKNOWN_PEER = "unknown_peer";
  /** The socket already holds as many frames as it may while one of its joins or leaves is in flight. */
  public static final String OVERLOADED = "overloaded";

  public ChannelError(String reason) {
    super(reason, null, false, false);
  }

  public String reason() {
    return getMessage();
  }
}

package dev.switchboard.media.forward;

/**
 * The node refuses media: the reason the client sees is always {@code media_unavailable} (it can retry elsewhere
 * or later, and learns nothing about the node's load), the {@link Cause} is for logs and metrics.
 */
public final class MediaRefusal extends RuntimeException {
  public static final String REASON = "media_unavailable";

  public enum Cause {
    /** the node hosts as many rooms as it may */
    NODE_ROOMS_FULL,
    /** the node hosts as many participants as it may */
    NODE_PARTICIPANTS_FULL,
    /** the room has as many participants as it may */
    ROOM_FULL,
    /** the participant publishes as many tracks as it may */
    TOO_MANY_TRACKS,
    /** the participant is in another room of this node */
    IN_ANOTHER_ROOM,
    /** the participant has not joined */
    NOT_JOINED,
    /** no such track in the room */
    UNKNOWN_TRACK,
    /** the track's SSRC (or id) is already used in the room */
    SSRC_IN_USE,
    /** a participant cannot subscribe to its own track, nor publish one for another participant */
    NOT_ALLOWED
  }

  private final Cause cause;

  public MediaRefusal(Cause cause, String detail) {
    super(REASON + ": " + cause + (detail == null ? "" : " (" + detail + ")"), null, false, false);
    this.cause = cause;
  }

  /** {@value #REASON}, what the client is told. */
  public String reason() {
    return REASON;
  }

  public Cause refusal() {
    return cause;
  }
}

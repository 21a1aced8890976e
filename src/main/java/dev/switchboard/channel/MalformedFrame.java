package dev.switchboard.channel;

/**
 * A frame that cannot be dispatched, with whatever refs could still be read from it so that the
 * client's push gets an error reply instead of waiting for its 10 s timeout.
 */
public final class MalformedFrame extends Exception {
  private final String reason;
  private final String joinRef;
  private final String ref;
  private final String topic;

  MalformedFrame(String reason, String joinRef, String ref, String topic) {
    super(reason, null, false, false);
    this.reason = reason;
    this.joinRef = joinRef;
    this.ref = ref;
    this.topic = topic;
  }

  public String reason() {
    return reason;
  }

  public String joinRef() {
    return joinRef;
  }

  public String ref() {
    return ref;
  }

  /** The frame's topic, or {@code "phoenix"} when none could be read. */
  public String topic() {
    return topic == null ? FrameCodec.PHOENIX_TOPIC : topic;
  }
}

package dev.switchboard.media.sdp;

/** An m-section's direction attribute, from the point of view of the side whose SDP carries it. */
public enum Direction {
  SENDRECV, SENDONLY, RECVONLY, INACTIVE;

  /** The attribute name, {@code null} when {@code attribute} is not a direction. */
  public static Direction ofAttribute(String attribute) {
    return switch (attribute) {
      case "sendrecv" -> SENDRECV;
      case "sendonly" -> SENDONLY;
      case "recvonly" -> RECVONLY;
      case "inactive" -> INACTIVE;
      default -> null;
    };
  }

  public String attribute() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public boolean sends() {
    return this == SENDRECV || this == SENDONLY;
  }

  public boolean receives() {
    return this == SENDRECV || this == RECVONLY;
  }

  /** The same stream seen from the other side: what one sends the other receives. */
  public Direction reversed() {
    return of(receives(), sends());
  }

  /** What an answerer may say given the offer's direction and what it itself wants (RFC 3264 §6.1). */
  public Direction answerTo(Direction offered) {
    Direction allowed = offered.reversed();
    return of(sends() && allowed.sends(), receives() && allowed.receives());
  }

  public static Direction of(boolean sends, boolean receives) {
    if (sends) {
      return receives ? SENDRECV : SENDONLY;
    }
    return receives ? RECVONLY : INACTIVE;
  }
}

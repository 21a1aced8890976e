package dev.switchboard.room;

/** The registry said no, for a stable short reason such as {@code room_full} or {@code unknown_peer}. */
public final class RoomRefusal extends RuntimeException {
  public RoomRefusal(String reason) {
    super(reason, null, false, false);
  }

  public String reason() {
    return getMessage();
  }
}

package dev.switchboard.room;

import java.util.regex.Pattern;

/** Room ids are 1-64 characters of {@code [A-Za-z0-9_-]}: safe in URLs, topics, bus addresses and Redis keys. */
public final class RoomIds {
  public static final int MAX_LENGTH = 64;
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_LENGTH + "}");

  private RoomIds() {
  }

  public static boolean isValid(String roomId) {
    return roomId != null && VALID.matcher(roomId).matches();
  }
}

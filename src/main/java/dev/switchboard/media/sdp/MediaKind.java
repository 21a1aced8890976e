package dev.switchboard.media.sdp;

/** The media type of an m-line; anything but audio, video and data channels is {@code OTHER} and gets rejected. */
public enum MediaKind {
  AUDIO, VIDEO, APPLICATION, OTHER;

  public static MediaKind of(String media) {
    return switch (media) {
      case "audio" -> AUDIO;
      case "video" -> VIDEO;
      case "application" -> APPLICATION;
      default -> OTHER;
    };
  }

  /** The m-line token; {@code OTHER} has none of its own (a rejected section keeps the offerer's token). */
  public String token() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

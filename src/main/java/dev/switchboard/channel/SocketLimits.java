package dev.switchboard.channel;

/**
 * Per-socket guards of the channel layer.
 *
 * @param backlogFrames   frames a socket may queue while one of its joins or leaves is in flight
 * @param backlogBytes    the same, in bytes of frame text
 * @param inFlightFrames  pushes a socket may have waiting for an answer (a registry, a target's confirmation)
 * @param inFlightBytes   the same, in bytes of frame text
 * @param mailboxFrames   outbound frames held for a channel whose join is still completing
 * @param mailboxBytes    the same, in bytes
 * @param maxMediaEventBytes the largest frame of a {@code media:*} event (it carries a whole SDP, which
 *                        outgrows {@code maxFrameBytes} in large SFU rooms); never below {@code maxFrameBytes}
 */
public record SocketLimits(int maxFrameBytes, int maxChannels, int messagesPerSecond, int burst,
                           int closeAfterRefused, int backlogFrames, int backlogBytes, int inFlightFrames,
                           int inFlightBytes, int mailboxFrames, int mailboxBytes, int maxMediaEventBytes) {
  /** The prefix of the events allowed up to {@code maxMediaEventBytes}. */
  public static final String MEDIA_EVENT_PREFIX = "media:";

  public SocketLimits {
    maxMediaEventBytes = Math.max(maxMediaEventBytes, maxFrameBytes);
  }

  public SocketLimits(int maxFrameBytes, int maxChannels, int messagesPerSecond, int burst, int closeAfterRefused) {
    this(maxFrameBytes, maxChannels, messagesPerSecond, burst, closeAfterRefused, maxFrameBytes);
  }

  public SocketLimits(int maxFrameBytes, int maxChannels, int messagesPerSecond, int burst, int closeAfterRefused,
                      int maxMediaEventBytes) {
    this(maxFrameBytes, maxChannels, messagesPerSecond, burst, closeAfterRefused, 256, 256 * 1024, 1024, 1024 * 1024,
        256, 256 * 1024, maxMediaEventBytes);
  }

  public SocketLimits(int maxFrameBytes, int maxChannels, int messagesPerSecond, int burst, int closeAfterRefused,
                      int backlogFrames, int backlogBytes, int inFlightFrames, int inFlightBytes, int mailboxFrames,
                      int mailboxBytes) {
    this(maxFrameBytes, maxChannels, messagesPerSecond, burst, closeAfterRefused, backlogFrames, backlogBytes,
        inFlightFrames, inFlightBytes, mailboxFrames, mailboxBytes, maxFrameBytes);
  }
}

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
 */
public record SocketLimits(int maxFrameBytes, int maxChannels, int messagesPerSecond, int burst,
                           int closeAfterRefused, int backlogFrames, int backlogBytes, int inFlightFrames,
                           int inFlightBytes, int mailboxFrames, int mailboxBytes) {

  public SocketLimits(int maxFrameBytes, int maxChannels, int messagesPerSecond, int burst, int closeAfterRefused) {
    this(maxFrameBytes, maxChannels, messagesPerSecond, burst, closeAfterRefused, 256, 256 * 1024, 1024, 1024 * 1024,
        256, 256 * 1024);
  }
}

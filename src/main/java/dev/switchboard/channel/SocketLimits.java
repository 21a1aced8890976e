package dev.switchboard.channel;

/** Per-socket guards of the channel layer. */
public record SocketLimits(int maxFrameBytes, int maxChannels, int messagesPerSecond, int burst,
                           int closeAfterRefused) {
}

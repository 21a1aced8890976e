package dev.switchboard.channel;

/** Maps a topic to a new channel instance, or null when no channel serves it ("unmatched topic"). */
@FunctionalInterface
public interface ChannelRouter {
  ChannelHandler route(String topic, ChannelContext context);
}

package dev.switchboard.channel;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * Topic subscribers on one event loop, as Phoenix.PubSub's local registry: a broadcast is encoded
 * once and the same text is written to every subscribed socket (the "fastlane").
 */
public final class LocalPubSub {
  private final Map<String, Map<String, ChannelSocket>> topics = new HashMap<>();

  /** @return true when this is the topic's first local subscriber */
  public boolean subscribe(String topic, String key, ChannelSocket socket) {
    Map<String, ChannelSocket> subscribers = topics.computeIfAbsent(topic, t -> new HashMap<>(8));
    subscribers.put(key, socket);
    return subscribers.size() == 1;
  }

  /** @return true when the topic has no local subscriber left */
  public boolean unsubscribe(String topic, String key, ChannelSocket socket) {
    Map<String, ChannelSocket> subscribers = topics.get(topic);
    if (subscribers == null) {
      return false;
    }
    subscribers.remove(key, socket);
    if (subscribers.isEmpty()) {
      topics.remove(topic);
      return true;
    }
    return false;
  }

  /** Sends {@code [null,null,topic,event,payload]} to every subscriber but {@code exceptKey}. */
  public int broadcast(String topic, String event, JsonObject payload, String exceptKey) {
    Map<String, ChannelSocket> subscribers = topics.get(topic);
    if (subscribers == null) {
      return 0;
    }
    String frame = FrameCodec.encode(null, null, topic, event, payload);
    int sent = 0;
    for (Map.Entry<String, ChannelSocket> entry : subscribers.entrySet()) {
      // a subscriber whose join is still in flight holds the frame until its join reply went out
      if (!entry.getKey().equals(exceptKey) && entry.getValue().hasTopic(topic)) {
        entry.getValue().sendTo(topic, frame);
        sent++;
      }
    }
    return sent;
  }
}

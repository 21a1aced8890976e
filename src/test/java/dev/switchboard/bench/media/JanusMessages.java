package dev.switchboard.bench.media;

import java.util.List;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The Janus JSON API messages the media benchmark sends (janus.conf.meetecho.com/docs/rest.html, VideoRoom plugin
 * API) and what it reads from Janus's answers, apart from the HTTP that carries them ({@link JanusClient}).
 * Every request names a transaction; an asynchronous answer (a plugin event) carries the same one.
 */
public final class JanusMessages {
  public static final String VIDEOROOM = "janus.plugin.videoroom";

  private JanusMessages() {
  }

  /** Janus refused a request: its own error ({@code janus: error}) or the plugin's ({@code error_code}). */
  public static final class JanusError extends RuntimeException {
    public final int code;

    JanusError(int code, String reason) {
      super("Janus error " + code + ": " + reason);
      this.code = code;
    }
  }

  public static JsonObject createSession(String transaction) {
    return new JsonObject().put("janus", "create").put("transaction", transaction);
  }

  public static JsonObject attach(String transaction, String plugin) {
    return new JsonObject().put("janus", "attach").put("plugin", plugin).put("transaction", transaction);
  }

  /** A plugin message with a body and, when {@code jsep} is not null, an SDP ({@code type} offer or answer). */
  public static JsonObject message(String transaction, JsonObject body, String jsepType, String sdp) {
    JsonObject message = new JsonObject().put("janus", "message").put("transaction", transaction).put("body", body);
    if (jsepType != null) {
      message.put("jsep", new JsonObject().put("type", jsepType).put("sdp", sdp));
    }
    return message;
  }

  /** Tells Janus no candidates follow (ours are learned from our connectivity checks). */
  public static JsonObject trickleCompleted(String transaction) {
    return new JsonObject().put("janus", "trickle").put("transaction", transaction)
        .put("candidate", new JsonObject().put("completed", true));
  }

  /**
   * A VideoRoom for the benchmark: VP8 video and Opus audio, no bitrate cap (REMB 0) and no periodic keyframe
   * requests (the synthetic publishers send keyframes on their own cadence and ignore requests), no join
   * notifications and no audio-level events, so Janus does only what Switchboard's node does.
   */
  public static JsonObject createRoom(long room, int publishers) {
    return new JsonObject().put("request", "create").put("room", room).put("publishers", publishers)
        .put("videocodec", "vp8").put("audiocodec", "opus").put("bitrate", 0).put("fir_freq", 0)
        .put("notify_joining", false).put("audiolevel_event", false).put("permanent", false);
  }

  public static JsonObject joinAsPublisher(long room, String display) {
    return new JsonObject().put("request", "join").put("ptype", "publisher").put("room", room).put("display", display);
  }

  /** Sent with the publisher's offer: Janus answers it in the event. */
  public static JsonObject configure() {
    return new JsonObject().put("request", "configure").put("audio", true).put("video", true);
  }

  /** One subscription (one PeerConnection) to several publishers' streams; Janus offers them in its event. */
  public static JsonObject joinAsSubscriber(long room, List<Long> feeds) {
    JsonArray streams = new JsonArray();
    feeds.forEach(feed -> streams.add(new JsonObject().put("feed", feed)));
    return new JsonObject().put("request", "join").put("ptype", "subscriber").put("room", room).put("streams", streams);
  }

  /** Sent with the subscriber's answer to Janus's offer. */
  public static JsonObject start() {
    return new JsonObject().put("request", "start");
  }

  /** The id in a {@code success} answer to create or attach; throws JanusError on an error answer. */
  public static long id(JsonObject answer) {
    checked(answer);
    JsonObject data = answer.getJsonObject("data");
    if (!"success".equals(answer.getString("janus")) || data == null || data.getLong("id") == null) {
      throw new JanusError(-1, "no id in " + answer.encode());
    }
    return data.getLong("id");
  }

  /**
   * The VideoRoom data of a plugin answer or event ({@code plugindata.data}); throws JanusError when Janus or
   * the plugin refused.
   */
  public static JsonObject pluginData(JsonObject answer) {
    checked(answer);
    JsonObject plugindata = answer.getJsonObject("plugindata");
    JsonObject data = plugindata == null ? null : plugindata.getJsonObject("data");
    if (data == null) {
      throw new JanusError(-1, "no plugin data in " + answer.encode());
    }
    if (data.containsKey("error_code")) {
      throw new JanusError(data.getInteger("error_code"), data.getString("error", "?"));
    }
    return data;
  }

  /** The SDP of an event's jsep, or null when it has none. */
  public static String sdp(JsonObject event) {
    JsonObject jsep = event.getJsonObject("jsep");
    return jsep == null ? null : jsep.getString("sdp");
  }

  /** The events in a long-poll answer: Janus sends one object, or an array with maxev. */
  public static List<JsonObject> events(String body) {
    String trimmed = body.trim();
    if (trimmed.startsWith("[")) {
      return new JsonArray(trimmed).stream().map(JsonObject.class::cast).toList();
    }
    return trimmed.isEmpty() ? List.of() : List.of(new JsonObject(trimmed));
  }

  private static void checked(JsonObject answer) {
    if ("error".equals(answer.getString("janus"))) {
      JsonObject error = answer.getJsonObject("error", new JsonObject());
      throw new JanusError(error.getInteger("code", -1), error.getString("reason", "?"));
    }
  }
}

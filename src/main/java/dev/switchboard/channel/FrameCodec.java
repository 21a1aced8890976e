package dev.switchboard.channel;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** The Phoenix V2 JSON serializer, plus the best-effort readers used to answer bad frames politely. */
public final class FrameCodec {
  public static final String PHOENIX_TOPIC = "phoenix";
  private static final JsonFactory JSON = new JsonFactory();

  private FrameCodec() {
  }

  public static Frame decode(String text) throws MalformedFrame {
    JsonArray array;
    try {
      array = new JsonArray(text);
    } catch (DecodeException | ClassCastException e) {
      throw new MalformedFrame("malformed_frame", null, null, null);
    }
    if (array.size() < 5) {
      throw new MalformedFrame("malformed_frame", null, null, null);
    }
    String joinRef = refAt(array, 0);
    String ref = refAt(array, 1);
    Object topic = array.getValue(2);
    Object event = array.getValue(3);
    if (!(topic instanceof String t) || !(event instanceof String e)) {
      throw new MalformedFrame("malformed_frame", joinRef, ref, topic instanceof String s ? s : null);
    }
    if (!(array.getValue(4) instanceof JsonObject payload)) {
      throw new MalformedFrame("payload_not_an_object", joinRef, ref, t);
    }
    return new Frame(joinRef, ref, t, e, payload);
  }

  /** Refs are opaque strings; numbers are tolerated (some clients send them) and anything else is absent. */
  private static String refAt(JsonArray array, int index) {
    Object value = array.getValue(index);
    if (value instanceof String s) {
      return s;
    }
    return value instanceof Number n ? n.toString() : null;
  }

  /**
   * Reads only the first four elements of a frame too large to be parsed whole, so the refusal can
   * still be addressed to the push that caused it.
   */
  public static MalformedFrame prefix(String reason, String text) {
    String[] head = new String[4];
    try (JsonParser parser = JSON.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        return new MalformedFrame(reason, null, null, null);
      }
      for (int i = 0; i < head.length; i++) {
        JsonToken token = parser.nextToken();
        if (token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT) {
          head[i] = parser.getText();
        } else if (token != JsonToken.VALUE_NULL) {
          break;
        }
      }
    } catch (IOException e) {
      // whatever was read before the error is still useful
    }
    return new MalformedFrame(reason, head[0], head[1], head[2]);
  }

  /**
   * Reads the refs of a V2 binary push ({@code 0, len(join_ref), len(ref), len(topic), len(event), ...})
   * so that it can be refused with a reply.
   */
  public static MalformedFrame binaryPush(String reason, Buffer data) {
    try {
      if (data.length() < 5 || data.getByte(0) != 0) {
        return new MalformedFrame(reason, null, null, null);
      }
      int joinRefLength = data.getUnsignedByte(1);
      int refLength = data.getUnsignedByte(2);
      int topicLength = data.getUnsignedByte(3);
      int offset = 5;
      String joinRef = data.getString(offset, offset + joinRefLength, StandardCharsets.UTF_8.name());
      offset += joinRefLength;
      String ref = data.getString(offset, offset + refLength, StandardCharsets.UTF_8.name());
      offset += refLength;
      String topic = data.getString(offset, offset + topicLength, StandardCharsets.UTF_8.name());
      return new MalformedFrame(reason, joinRef.isEmpty() ? null : joinRef, ref.isEmpty() ? null : ref, topic);
    } catch (IndexOutOfBoundsException e) {
      return new MalformedFrame(reason, null, null, null);
    }
  }

  public static String encode(String joinRef, String ref, String topic, String event, JsonObject payload) {
    return new JsonArray().add(joinRef).add(ref).add(topic).add(event).add(payload).encode();
  }

  public static String reply(String joinRef, String ref, String topic, boolean ok, JsonObject response) {
    JsonObject payload = new JsonObject().put("status", ok ? "ok" : "error").put("response", response);
    return encode(joinRef, ref, topic, "phx_reply", payload);
  }

  public static String errorReply(String joinRef, String ref, String topic, String reason) {
    return reply(joinRef, ref, topic, false, new JsonObject().put("reason", reason));
  }

  /** UTF-8 length, computed only as far as needed to compare against a limit. */
  public static boolean exceeds(String text, int maxBytes) {
    if (text.length() > maxBytes) {
      return true;
    }
    if ((long) text.length() * 3 <= maxBytes) {
      return false;
    }
    return text.getBytes(StandardCharsets.UTF_8).length > maxBytes;
  }
}

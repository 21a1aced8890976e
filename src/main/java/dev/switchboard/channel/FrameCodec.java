package dev.switchboard.channel;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Phoenix V2 JSON serializer, plus the best-effort readers used to answer bad frames politely. */
public final class FrameCodec {
  public static final String PHOENIX_TOPIC = "phoenix";
  private static final JsonFactory JSON = new JsonFactory();
  /** Not a string (topic, event) or not an object (payload): refused once the whole text was read. */
  private static final Object OTHER = new Object();

  private FrameCodec() {
  }

  /**
   * Parses a text frame once, straight into its five fields (the payload into a JsonObject, the fields after the
   * fifth skipped): what the whole text is refused for (not JSON, not an array, fewer than five elements) and
   * which refs the refusal carries are those of a full parse into a JsonArray. The parser is Vert.x's, with its
   * limits on nesting depth, string and number length.
   */
  public static Frame decode(String text) throws MalformedFrame {
    Object[] fields = new Object[5];
    int count = 0;
    try (JsonParser parser = JacksonCodec.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw malformed();
      }
      JsonToken token;
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        if (token == null) {
          throw malformed();
        }
        if (count < fields.length) {
          fields[count] = field(parser, token, count);
        } else {
          parser.skipChildren();
        }
        count++;
      }
      if (parser.nextToken() != null) {
        throw malformed();
      }
    } catch (IOException | DecodeException e) {
      throw malformed();
    }
    if (count < 5) {
      throw malformed();
    }
    String joinRef = (String) fields[0];
    String ref = (String) fields[1];
    if (!(fields[2] instanceof String topic) || !(fields[3] instanceof String event)) {
      throw new MalformedFrame("malformed_frame", joinRef, ref, fields[2] instanceof String s ? s : null);
    }
    if (!(fields[4] instanceof JsonObject payload)) {
      throw new MalformedFrame("payload_not_an_object", joinRef, ref, topic);
    }
    return new Frame(joinRef, ref, topic, event, payload);
  }

  private static MalformedFrame malformed() {
    return new MalformedFrame("malformed_frame", null, null, null);
  }

  private static Object field(JsonParser parser, JsonToken token, int index) throws IOException {
    if (index < 2) {
      // refs are opaque strings; numbers are tolerated (some clients send them) and anything else is absent
      if (token == JsonToken.VALUE_STRING) {
        return parser.getText();
      }
      if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
        return parser.getNumberValue().toString();
      }
      parser.skipChildren();
      return null;
    }
    if (index < 4 && token == JsonToken.VALUE_STRING) {
      return parser.getText();
    }
    if (index == 4 && token == JsonToken.START_OBJECT) {
      return new JsonObject(object(parser));
    }
    parser.skipChildren();
    return OTHER;
  }

  /** Values as Vert.x's own parser builds them: maps, lists, strings, numbers, booleans, null. */
  private static Object value(JsonParser parser, JsonToken token) throws IOException {
    return switch (token) {
      case START_OBJECT -> object(parser);
      case START_ARRAY -> array(parser);
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getNumberValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new DecodeException("unexpected token " + token);
    };
  }

  private static Map<String, Object> object(JsonParser parser) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    String name;
    while ((name = parser.nextFieldName()) != null) {
      map.put(name, value(parser, parser.nextToken()));
    }
    return map;
  }

  private static List<Object> array(JsonParser parser) throws IOException {
    List<Object> list = new ArrayList<>();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      list.add(value(parser, token));
    }
    return list;
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

  // The frames below are written straight into text (JsonText): the same JSON as a JsonArray's encode.

  public static String encode(String joinRef, String ref, String topic, String event, JsonObject payload) {
    StringBuilder out = head(joinRef, ref, topic, event, 64);
    JsonText.value(out, payload);
    return out.append(']').toString();
  }

  /** {@code [join_ref, ref, topic, "phx_reply", {"status": "ok"|"error", "response": response}]} */
  public static String reply(String joinRef, String ref, String topic, boolean ok, JsonObject response) {
    StringBuilder out = head(joinRef, ref, topic, "phx_reply", 48);
    out.append(ok ? "{\"status\":\"ok\",\"response\":" : "{\"status\":\"error\",\"response\":");
    if (response != null && response.isEmpty()) {
      out.append("{}");
    } else {
      JsonText.value(out, response);
    }
    return out.append("}]").toString();
  }

  /** {@code [join_ref, ref, topic, "phx_reply", {"status": "error", "response": {"reason": reason}}]} */
  public static String errorReply(String joinRef, String ref, String topic, String reason) {
    StringBuilder out = head(joinRef, ref, topic, "phx_reply", 64 + reason.length());
    out.append("{\"status\":\"error\",\"response\":{\"reason\":");
    JsonText.string(out, reason);
    return out.append("}}]").toString();
  }

  /**
   * A relayed signal: {@code [null, null, topic, event, {"from": from, "body": body}]}, the body written as it
   * was parsed from its sender's frame.
   */
  public static String signal(String topic, String event, String from, Object body) {
    StringBuilder out = head(null, null, topic, event, 48 + (body instanceof String s ? s.length() : 64));
    out.append("{\"from\":");
    JsonText.stringOrNull(out, from);
    out.append(",\"body\":");
    JsonText.value(out, body);
    return out.append("}]").toString();
  }

  private static StringBuilder head(String joinRef, String ref, String topic, String event, int payloadSize) {
    StringBuilder out = new StringBuilder(32 + topic.length() + event.length() + payloadSize);
    out.append('[');
    JsonText.stringOrNull(out, joinRef);
    out.append(',');
    JsonText.stringOrNull(out, ref);
    out.append(',');
    JsonText.stringOrNull(out, topic);
    out.append(',');
    JsonText.stringOrNull(out, event);
    return out.append(',');
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

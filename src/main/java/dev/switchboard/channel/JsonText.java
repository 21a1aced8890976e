package dev.switchboard.channel;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/**
 * JSON written straight into a StringBuilder, for the frames the server sends on every signal and reply: the
 * same text Vert.x's Jackson encoder produces (FrameCodecTest compares them on hostile strings), without a
 * JsonArray, a generator or a writer per frame. Types this does not write itself go through Vert.x's encoder.
 */
final class JsonText {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  /** For each ASCII char: 0 written as is, -1 as {@code \}{@code u00XX}, otherwise the char after the backslash. */
  private static final int[] ESCAPES = new int[128];

  static {
    for (int c = 0; c < 0x20; c++) {
      ESCAPES[c] = -1;
    }
    ESCAPES['"'] = '"';
    ESCAPES['\\'] = '\\';
    ESCAPES['\b'] = 'b';
    ESCAPES['\t'] = 't';
    ESCAPES['\n'] = 'n';
    ESCAPES['\f'] = 'f';
    ESCAPES['\r'] = 'r';
  }

  private JsonText() {
  }

  /**
   * A JSON string as Jackson writes it: quote, backslash and control chars escaped; everything else, lone
   * surrogates included, copied (the UTF-8 encoder of the frame deals with those as it does for Jackson's text).
   */
  static void string(StringBuilder out, String value) {
    out.append('"');
    int length = value.length();
    int clean = 0;
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (c < 128 && ESCAPES[c] != 0) {
        out.append(value, clean, i);
        int escape = ESCAPES[c];
        out.append('\\');
        if (escape > 0) {
          out.append((char) escape);
        } else {
          out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
        }
        clean = i + 1;
      }
    }
    out.append(value, clean, length).append('"');
  }

  /** A string, or null. */
  static void stringOrNull(StringBuilder out, String value) {
    if (value == null) {
      out.append("null");
    } else {
      string(out, value);
    }
  }

  /** Any value a JsonObject may hold, as {@code Json.encode} would write it. */
  static void value(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      string(out, s);
    } else if (value instanceof JsonObject object) {
      object(out, object.getMap());
    } else if (value instanceof Map<?, ?> map) {
      object(out, map);
    } else if (value instanceof JsonArray array) {
      array(out, array.getList());
    } else if (value instanceof List<?> list) {
      array(out, list);
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long
        || value instanceof Short || value instanceof Byte) {
      out.append(value);
    } else {
      // doubles, big numbers, instants, binary: whatever Vert.x's encoder does with them
      out.append(Json.encode(value));
    }
  }

  private static void object(StringBuilder out, Map<?, ?> map) {
    out.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(out, String.valueOf(entry.getKey()));
      out.append(':');
      value(out, entry.getValue());
    }
    out.append('}');
  }

  private static void array(StringBuilder out, List<?> list) {
    out.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      value(out, list.get(i));
    }
    out.append(']');
  }
}

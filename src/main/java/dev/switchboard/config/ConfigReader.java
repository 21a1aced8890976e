package dev.switchboard.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** Typed, validated reads from one section of the configuration; every error names the key. */
final class ConfigReader {
  private final JsonObject section;
  private final String path;

  private ConfigReader(JsonObject section, String path) {
    this.section = section;
    this.path = path;
  }

  static ConfigReader root(JsonObject root) {
    return new ConfigReader(root, "");
  }

  ConfigReader section(String key) {
    Object value = section.getValue(key);
    String childPath = name(key);
    if (value == null) {
      return new ConfigReader(new JsonObject(), childPath);
    }
    if (value instanceof JsonObject object) {
      return new ConfigReader(object, childPath);
    }
    throw new ConfigException(childPath + " must be a section, found: " + value);
  }

  int integer(String key, int min, int max) {
    Object value = section.getValue(key);
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
      throw new ConfigException(name(key) + " must be a whole number, found: " + value);
    }
    long v = number.longValue();
    if (v < min || v > max) {
      throw new ConfigException(name(key) + " must be between " + min + " and " + max + ", found: " + v);
    }
    return (int) v;
  }

  String string(String key) {
    Object value = section.getValue(key);
    if (value == null) {
      return "";
    }
    if (!(value instanceof String s)) {
      throw new ConfigException(name(key) + " must be a string, found: " + value);
    }
    return s;
  }

  String nonEmptyString(String key) {
    String s = string(key);
    if (s.isBlank()) {
      throw new ConfigException(name(key) + " must not be empty");
    }
    return s;
  }

  boolean bool(String key) {
    Object value = section.getValue(key);
    if (!(value instanceof Boolean b)) {
      throw new ConfigException(name(key) + " must be true or false, found: " + value);
    }
    return b;
  }

  List<String> strings(String key) {
    Object value = section.getValue(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw new ConfigException(name(key) + " must be a list, found: " + value);
    }
    return array.stream().map(String::valueOf).toList();
  }

  /** A list whose every entry must match {@code pattern}; {@code expected} names the form in the error. */
  List<String> strings(String key, String pattern, String expected) {
    List<String> values = strings(key);
    for (String value : values) {
      if (!value.matches(pattern)) {
        throw new ConfigException(name(key) + ": expected " + expected + ", found: " + value);
      }
    }
    return values;
  }

  /** The full dotted path of a key of this section, for error messages. */
  String name(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}

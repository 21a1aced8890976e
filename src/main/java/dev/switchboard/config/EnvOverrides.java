package dev.switchboard.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Applies {@code SWITCHBOARD_*} environment variables to the YAML configuration.
 *
 * <p>Names are derived from the keys the YAML file already has, so that {@code turn.relay-ip} and a
 * hypothetical {@code turn.relay.ip} cannot be confused, and the value is coerced to the type of the
 * YAML default: a port stays a number and a typo like {@code SWITCHBOARD_HTTP_PORT=40o0} is an error
 * instead of a string that fails later.
 */
public final class EnvOverrides {
  static final String PREFIX = "SWITCHBOARD_";

  private EnvOverrides() {
  }

  public static JsonObject apply(JsonObject defaults, Map<String, String> env) {
    JsonObject merged = defaults.copy();
    override(merged, "", env);
    return merged;
  }

  /** The environment variable that overrides a dotted key path, e.g. {@code turn.relay-ip}. */
  public static String variableFor(String keyPath) {
    return PREFIX + keyPath.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private static void override(JsonObject node, String prefix, Map<String, String> env) {
    for (String key : node.fieldNames().toArray(String[]::new)) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      Object current = node.getValue(key);
      if (current instanceof JsonObject child) {
        override(child, path, env);
        continue;
      }
      String raw = env.get(variableFor(path));
      if (raw != null) {
        node.put(key, coerce(path, raw, current));
      }
    }
  }

  private static Object coerce(String path, String raw, Object template) {
    String value = raw.trim();
    try {
      if (template instanceof Integer || template instanceof Long) {
        return Long.parseLong(value);
      }
      if (template instanceof Number) {
        return Double.parseDouble(value);
      }
    } catch (NumberFormatException e) {
      throw new ConfigException(variableFor(path) + "=" + raw + ": " + path + " must be a number");
    }
    if (template instanceof Boolean) {
      if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
        return Boolean.parseBoolean(value);
      }
      throw new ConfigException(variableFor(path) + "=" + raw + ": " + path + " must be true or false");
    }
    if (template instanceof JsonArray) {
      JsonArray list = new JsonArray();
      Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(list::add);
      return list;
    }
    return raw;
  }
}

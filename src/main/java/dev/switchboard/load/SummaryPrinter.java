package dev.switchboard.load;

import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The final summary on stdout: a two-column table for people, or the same fields as one JSON object
 * with --json for scripts (field names in LoadHelp). Latencies print as p50/p99/max on one row.
 */
final class SummaryPrinter {
  private SummaryPrinter() {
  }

  static void print(Map<String, Object> report, boolean json, PrintStream out) {
    if (json) {
      out.println(new JsonObject(report).encode());
    } else {
      out.println("load summary");
      table("", report, out);
    }
    out.flush();
  }

  @SuppressWarnings("unchecked")
  private static void table(String prefix, Map<String, Object> map, PrintStream out) {
    for (Map.Entry<String, Object> e : map.entrySet()) {
      String key = prefix + e.getKey();
      Object value = e.getValue();
      if (value instanceof Map<?, ?> nested && nested.containsKey("p99")) {
        Map<String, Object> l = (Map<String, Object>) nested;
        row(key, "p50 " + l.get("p50") + "  p99 " + l.get("p99") + "  max " + l.get("max") + "  (n=" + l.get("count") + ")", out);
      } else if (value instanceof Map<?, ?> nested) {
        if (nested.isEmpty()) {
          row(key, "none", out);
        } else {
          table(key + ".", (Map<String, Object>) nested, out);
        }
      } else if (value instanceof List<?> rows) {
        row(key, rows.isEmpty() ? "none" : rows.size() + " rows (above)", out);
      } else {
        row(key, value == null ? "-" : String.valueOf(value), out);
      }
    }
  }

  private static void row(String key, String value, PrintStream out) {
    out.printf("  %-34s %s%n", key, value);
  }
}

package dev.switchboard.load;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The parsed command line of {@code switchboard.jar load}. {@link #parse} throws {@link UsageError} with a
 * one-line message for anything wrong, and returns null for {@code --help}.
 */
public record LoadOptions(
    Scenario scenario,
    URI url,
    boolean insecure,
    String token,
    String tokenSecret,
    String origin,
    int sockets,
    int roomSize,
    int durationSeconds,
    int heartbeatSeconds,
    int connectRate,
    List<String> sourceIps,
    long serverPid,
    String roomPrefix,
    long idOffset,
    List<Integer> reportAt,
    int reportSeconds,
    int pairs,
    double rate,
    int window,
    int background,
    int eventLoops,
    boolean json,
    boolean progress,
    boolean serverHeap,
    URI spanUrl,
    int spanEvery) {

  /** What the run does (see {@link LoadHelp}). */
  public enum Scenario {
    IDLE, RELAY, CHURN, RTT;

    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final String DEFAULT_URL = "ws://127.0.0.1:4000/socket/websocket";
  private static final Set<String> FLAGS = Set.of("--insecure", "--json", "--no-progress", "--server-heap", "--help", "-h");
  /** Senders keep their in-flight sent times in a ring of this size (LoadPeer). */
  static final int MAX_WINDOW = 1024;

  /** A bad command line: the message is one line saying what is wrong. */
  public static final class UsageError extends RuntimeException {
    UsageError(String message) {
      super(message);
    }
  }

  public static LoadOptions parse(List<String> args) {
    if (args.isEmpty()) {
      throw new UsageError("no scenario given: expected one of idle, relay, churn, rtt");
    }
    if (args.contains("--help") || args.contains("-h")) {
      return null;
    }
    Builder b = new Builder();
    int start = 0;
    if (!args.get(0).startsWith("-")) {
      b.scenario = scenario(args.get(0));
      start = 1;
    }
    for (int i = start; i < args.size(); i++) {
      String arg = args.get(i);
      String inline = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        inline = arg.substring(equals + 1);
        arg = arg.substring(0, equals);
      }
      if (FLAGS.contains(arg)) {
        if (inline != null) {
          throw new UsageError(arg + " takes no value");
        }
        switch (arg) {
          case "--insecure" -> b.insecure = true;
          case "--json" -> b.json = true;
          case "--server-heap" -> b.serverHeap = true;
          default -> b.progress = false;
        }
        continue;
      }
      if (!arg.startsWith("-")) {
        throw new UsageError(b.scenario == null ? "unknown scenario: " + arg + " (expected idle, relay, churn or rtt)"
            : "unexpected argument: " + arg);
      }
      String value;
      if (inline != null) {
        value = inline;
      } else if (i + 1 < args.size()) {
        value = args.get(++i);
      } else {
        throw new UsageError(arg + " needs a value");
      }
      b.set(arg, value);
    }
    return b.build();
  }

  private static Scenario scenario(String name) {
    for (Scenario s : Scenario.values()) {
      if (s.wireName().equals(name)) {
        return s;
      }
    }
    throw new UsageError("unknown scenario: " + name + " (expected idle, relay, churn or rtt)");
  }

  /** Mutable collector of the options while parsing; defaults here are the documented ones. */
  private static final class Builder {
    Scenario scenario;
    URI url = URI.create(DEFAULT_URL);
    boolean insecure;
    String token;
    String tokenSecret;
    String origin;
    int sockets = 100;
    int roomSize = 5;
    int duration = 10;
    int heartbeat = 30;
    int connectRate = 500;
    List<String> sourceIps = List.of();
    long serverPid;
    String roomPrefix = "load";
    long idOffset;
    List<Integer> reportAt = List.of();
    int reportSeconds = 5;
    Integer pairs;
    Double rate;
    int window = 100;
    int background;
    int eventLoops = 2;
    boolean json;
    boolean progress = true;
    boolean serverHeap;
    URI spanUrl;
    int spanEvery = 1;

    void set(String option, String value) {
      switch (option) {
        case "--url" -> url = url(value);
        case "--token" -> token = nonBlank(option, value);
        case "--token-secret" -> tokenSecret = tokenSecret(value);
        case "--origin" -> origin = origin(value);
        case "--sockets", "-n" -> sockets = integer(option, value, 1, 1_000_000);
        case "--room-size" -> roomSize = integer(option, value, 1, 1000);
        case "--duration", "-t" -> duration = seconds(option, value, 0);
        case "--heartbeat" -> heartbeat = seconds(option, value, 1);
        case "--connect-rate" -> connectRate = integer(option, value, 1, 1_000_000);
        case "--source-ips" -> sourceIps = SourceAddresses.parse(value);
        case "--server-pid" -> serverPid = integer(option, value, 1, Integer.MAX_VALUE);
        case "--room-prefix" -> roomPrefix = roomPrefix(value);
        case "--id-offset" -> idOffset = integer(option, value, 0, Integer.MAX_VALUE);
        case "--report-at" -> reportAt = milestones(value);
        case "--report-seconds" -> reportSeconds = seconds(option, value, 1);
        case "--pairs" -> pairs = integer(option, value, 1, 100_000);
        case "--rate" -> rate = number(option, value);
        case "--window" -> window = integer(option, value, 1, MAX_WINDOW);
        case "--background" -> background = integer(option, value, 0, 1_000_000);
        case "--event-loops" -> eventLoops = integer(option, value, 1, 64);
        case "--span-url" -> spanUrl = url(value);
        case "--span-every" -> spanEvery = integer(option, value, 1, 1_000_000);
        default -> throw new UsageError("unknown option: " + option);
      }
    }

    LoadOptions build() {
      if (scenario == null) {
        throw new UsageError("no scenario given: expected one of idle, relay, churn, rtt");
      }
      if (token != null && tokenSecret != null) {
        throw new UsageError("--token and --token-secret exclude each other: one token for all, or one minted per peer");
      }
      if (!reportAt.isEmpty() && scenario != Scenario.IDLE) {
        throw new UsageError("--report-at applies to the idle scenario only");
      }
      if (!reportAt.isEmpty() && reportAt.get(reportAt.size() - 1) > sockets) {
        throw new UsageError("--report-at milestone " + reportAt.get(reportAt.size() - 1) + " is above --sockets " + sockets);
      }
      if (serverHeap && serverPid == 0) {
        throw new UsageError("--server-heap needs --server-pid");
      }
      if (duration == 0 && scenario != Scenario.IDLE) {
        throw new UsageError("--duration 0 (until interrupted) applies to the idle scenario only");
      }
      // churn's --rate is cycles per second (default 10); relay's is signals per pair per second (0: flat out);
      // rtt's round trips per second per pair (50 stays within the server's default 100 messages/s per socket)
      double effectiveRate = rate != null ? rate : switch (scenario) {
        case CHURN -> 10;
        case RTT -> 50;
        default -> 0;
      };
      if (scenario == Scenario.CHURN && effectiveRate <= 0) {
        throw new UsageError("--rate must be above 0 for churn (cycles per second)");
      }
      // relay defaults to 10 pairs, rtt to one pair measured under its background
      int effectivePairs = pairs != null ? pairs : scenario == Scenario.RTT ? 1 : 10;
      return new LoadOptions(scenario, url, insecure, token, tokenSecret, origin, sockets, roomSize, duration, heartbeat,
          connectRate, sourceIps, serverPid, roomPrefix, idOffset, reportAt, reportSeconds, effectivePairs, effectiveRate, window,
          background, eventLoops, json, progress, serverHeap, spanUrl, spanEvery);
    }
  }

  static URI url(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new UsageError("--url is not a URL: " + text);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new UsageError("--url must start with ws:// or wss://, found: " + text);
    }
    if (uri.getHost() == null) {
      throw new UsageError("--url has no host: " + text);
    }
    return uri;
  }

  private static String nonBlank(String option, String value) {
    if (value.isBlank()) {
      throw new UsageError(option + " must not be empty");
    }
    return value.trim();
  }

  private static String tokenSecret(String value) {
    int colon = value.indexOf(':');
    if (colon < 1 || colon == value.length() - 1) {
      throw new UsageError("--token-secret must be KID:SECRET, one entry of the server's auth.keys");
    }
    return value;
  }

  private static String origin(String value) {
    if (!value.matches("https?://[^\\s/?#]+")) {
      throw new UsageError("--origin must be scheme://host[:port], found: " + value);
    }
    return value;
  }

  private static String roomPrefix(String value) {
    if (!value.matches("[A-Za-z0-9_-]{1,40}")) {
      throw new UsageError("--room-prefix must be 1-40 characters of [A-Za-z0-9_-], found: " + value);
    }
    return value;
  }

  private static int integer(String option, String value, int min, int max) {
    long n;
    try {
      n = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageError(option + " must be a whole number, found: " + value);
    }
    if (n < min || n > max) {
      throw new UsageError(option + " must be between " + min + " and " + max + ", found: " + value);
    }
    return (int) n;
  }

  private static double number(String option, String value) {
    double n;
    try {
      n = Double.parseDouble(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageError(option + " must be a number, found: " + value);
    }
    if (!(n >= 0) || Double.isInfinite(n)) {
      throw new UsageError(option + " must be 0 or more, found: " + value);
    }
    return n;
  }

  /** {@code 30}, {@code 30s}, {@code 5m} or {@code 2h}, in seconds. */
  static int seconds(String option, String value, int min) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    int unit = 1;
    if (v.endsWith("s")) {
      v = v.substring(0, v.length() - 1);
    } else if (v.endsWith("m")) {
      unit = 60;
      v = v.substring(0, v.length() - 1);
    } else if (v.endsWith("h")) {
      unit = 3600;
      v = v.substring(0, v.length() - 1);
    }
    long n;
    try {
      n = Long.parseLong(v) * unit;
    } catch (NumberFormatException e) {
      throw new UsageError(option + " must be a duration such as 30, 30s, 5m or 2h, found: " + value);
    }
    if (n < min || n > 7 * 86_400) {
      throw new UsageError(option + " must be between " + min + " s and 7 days, found: " + value);
    }
    return (int) n;
  }

  private static List<Integer> milestones(String value) {
    List<Integer> result = new ArrayList<>();
    for (String part : value.split(",")) {
      int n = integer("--report-at", part, 1, 1_000_000);
      if (!result.isEmpty() && n <= result.get(result.size() - 1)) {
        throw new UsageError("--report-at milestones must increase, found: " + value);
      }
      result.add(n);
    }
    return List.copyOf(result);
  }
}

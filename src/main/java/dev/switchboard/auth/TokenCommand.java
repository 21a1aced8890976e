package dev.switchboard.auth;

import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java -jar switchboard.jar token ...}: prints an access token signed with the first of
 * {@code auth.keys}, read from the same configuration as the server (conf file plus SWITCHBOARD_*), so a
 * token made on the node's host verifies on the node.
 */
public final class TokenCommand {
  static final int EXIT_OK = 0;
  static final int EXIT_USAGE = 2;
  static final Duration DEFAULT_TTL = Duration.ofHours(1);
  private static final Pattern TTL = Pattern.compile("(\\d{1,9})([smhd])");

  static final String USAGE = """
      Usage: switchboard.jar token --room ROOM --identity ID [options]
      Prints an access token (a JWT signed with the first key of auth.keys / SWITCHBOARD_AUTH_KEYS).

        --room ROOM        the room it admits to: a room id, or * for every room (required)
        --identity ID      who the holder is, the token's sub, 1-128 characters (required)
        --name NAME        display name, at most 64 characters
        --ttl TTL          how long it is valid: 90s, 30m, 2h, 7d (default 1h)
        --no-publish       may not send media
        --no-subscribe     receives no signals targeted at it
        --admin            may remove participants
        --metadata JSON    a JSON object of at most 1 KiB shown to the others, e.g. '{"team":"blue"}'
        --url BASE         also print the join link BASE/r/ROOM#token=TOKEN
        --help             this text

      The configuration is conf/switchboard.yaml (or $SWITCHBOARD_CONFIG) plus SWITCHBOARD_* variables.
      Exit status 2 when an argument is bad or no signing key is configured.
      """;

  private TokenCommand() {
  }

  public static void main(String[] args) {
    // as for the node (Main): the command resolves no names, so Vert.x need not set up its DNS resolver
    System.setProperty("vertx.disableDnsResolver", "true");
    System.exit(run(List.of(args), System.getenv(), System.out, System.err, Clock.systemUTC()));
  }

  /** The whole command, for tests: the exit status, with the token (and link) written to {@code out}. */
  static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err, Clock clock) {
    Request request;
    try {
      request = Request.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("switchboard token: " + e.getMessage() + " (--help for usage)");
      return EXIT_USAGE;
    }
    if (request == null) {
      out.print(USAGE);
      return EXIT_OK;
    }
    Vertx vertx = Vertx.vertx();
    try {
      SwitchboardConfig config = ConfigLoader.load(vertx, ConfigLoader.fileFrom(env), env).await(30, TimeUnit.SECONDS);
      AccessTokens tokens = AccessTokens.from(vertx, config.auth(), clock);
      if (!tokens.canIssue()) {
        err.println("switchboard token: no signing key is configured: set auth.keys in the configuration file or "
            + "SWITCHBOARD_AUTH_KEYS=kid:secret (a secret of at least 32 bytes, e.g. openssl rand -base64 48)");
        return EXIT_USAGE;
      }
      String token = tokens.issue(request.grant(), request.ttl());
      out.println(token);
      if (request.url() != null) {
        out.println(request.url() + "/r/" + request.grant().room() + "#token=" + token);
      }
      return EXIT_OK;
    } catch (IllegalArgumentException e) {
      err.println("switchboard token: " + e.getMessage());
      return EXIT_USAGE;
    } catch (Exception e) {
      // a configuration error (ConfigException, possibly wrapped by the loader's future) or a timeout
      err.println("switchboard token: configuration error: " + rootMessage(e));
      return EXIT_USAGE;
    } finally {
      closeQuietly(vertx);
    }
  }

  /** Parses {@code 90s}, {@code 30m}, {@code 2h}, {@code 7d}. */
  static Duration parseTtl(String text) {
    Matcher m = TTL.matcher(text);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new IllegalArgumentException("--ttl must be a positive number followed by s, m, h or d, found: " + text);
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  private static void closeQuietly(Vertx vertx) {
    try {
      vertx.close().await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the command's outcome is already decided; the process exits anyway
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  /** The parsed command line; {@link #parse} returns null for {@code --help}. */
  record Request(AccessGrant grant, Duration ttl, String url) {

    static Request parse(List<String> args) {
      String room = null;
      String identity = null;
      String name = "";
      Duration ttl = DEFAULT_TTL;
      boolean publish = true;
      boolean subscribe = true;
      boolean admin = false;
      JsonObject metadata = new JsonObject();
      String url = null;
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        // --opt=value is accepted as well as --opt value
        String inline = null;
        int equals = arg.indexOf('=');
        if (arg.startsWith("--") && equals > 0) {
          inline = arg.substring(equals + 1);
          arg = arg.substring(0, equals);
        }
        switch (arg) {
          case "--help", "-h" -> {
            return null;
          }
          case "--no-publish" -> publish = false;
          case "--no-subscribe" -> subscribe = false;
          case "--admin" -> admin = true;
          case "--room" -> room = inline != null ? inline : value(args, ++i, arg);
          case "--identity" -> identity = inline != null ? inline : value(args, ++i, arg);
          case "--name" -> name = inline != null ? inline : value(args, ++i, arg);
          case "--ttl" -> ttl = parseTtl(inline != null ? inline : value(args, ++i, arg));
          case "--metadata" -> metadata = metadata(inline != null ? inline : value(args, ++i, arg));
          case "--url" -> url = url(inline != null ? inline : value(args, ++i, arg));
          default -> throw new IllegalArgumentException("unknown argument: " + arg);
        }
      }
      if (room == null || identity == null) {
        throw new IllegalArgumentException("--room and --identity are required");
      }
      if (url != null && AccessGrant.ANY_ROOM.equals(room)) {
        throw new IllegalArgumentException("--url needs one room: a link cannot lead into every room (*)");
      }
      // expiresAt is set by issue() from the ttl; 0 here is never read
      return new Request(new AccessGrant(identity, name, metadata, true, room, true, publish, subscribe, admin, 0, 0),
          ttl, url);
    }

    private static String value(List<String> args, int i, String option) {
      if (i >= args.size()) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args.get(i);
    }

    private static JsonObject metadata(String json) {
      Object value;
      try {
        value = Json.decodeValue(json);
      } catch (DecodeException e) {
        value = null;
      }
      if (!(value instanceof JsonObject object)) {
        throw new IllegalArgumentException("--metadata must be a JSON object, found: " + json);
      }
      return object;
    }

    private static String url(String base) {
      if (!base.matches("https?://[^\\s/?#]+(/[^\\s?#]*)?")) {
        throw new IllegalArgumentException("--url must be an http:// or https:// base URL, found: " + base);
      }
      return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }
  }
}

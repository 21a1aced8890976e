package dev.switchboard.webapp;

import dev.switchboard.Node;
import dev.switchboard.config.ConfigLoader;
import dev.switchboard.config.SwitchboardConfig;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.support.Chromium;
import dev.switchboard.support.Firefox;
import dev.switchboard.support.Wait;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.openqa.selenium.chrome.ChromeDriver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs inside a network namespace with a veth pair and a default route (see MixedEnginesSfuCallInNamespaceTest;
 * Firefox gathers no candidates on loopback alone): a node started exactly as {@code scripts/run.sh} starts one,
 * from conf/switchboard.yaml with no override (topology auto, so SFU rooms; the media node on 127.0.0.1:10000;
 * the gateway on port 4000), and the real web app page opened on the room link the lobby makes by five Chromiums
 * and one Firefox ESR, at 320x240 and 15 fps. Firefox 153 pairs neither its veth host candidate nor any loopback
 * one with the node's 127.0.0.1 candidate; with {@code media.peerconnection.ice.loopback} (off by default) it at least
 * talks to the built-in TURN relay on 127.0.0.1, whose TURN/TCP relay candidate reaches the node (the relay admits
 * the media node's address by default). Without the pref Firefox gathers no usable candidate and decodes no one.
 * Prints {@code RESULT <json>}: per page, per other participant, when its video was first decoded and how many
 * frames were decoded at two looks 3 s apart, once every page decodes all five others or at the deadline.
 */
public final class MixedEnginesSfuCallScenario {
  static final String ROOM = "mxd4-sfu6-cal7q";
  static final List<String> NAMES = List.of("Ana", "Ben", "Cy", "Dee", "Eve", "Fox");
  /** The sixth page is Firefox's. */
  static final int FIREFOX = 5;
  static final Map<String, Object> FIREFOX_PREFS = Map.of("media.peerconnection.ice.loopback", true);
  static final long DEADLINE_MS = 120_000;
  static final long LATER_MS = 3_000;

  /** An open app page, whichever engine: runs a script shaped like Selenium's executeAsyncScript. */
  interface Page {
    Object run(String script) throws Exception;

    /** The value as plain JSON, whether Selenium's maps and lists or the Firefox driver's JSON. */
    default Object json(String script) throws Exception {
      Object value = run(script);
      return value == null ? null : Json.decodeValue(Json.encode(value));
    }
  }

  private MixedEnginesSfuCallScenario() {
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    List<ChromeDriver> chromiums = new ArrayList<>();
    Firefox firefox = null;
    Node node = null;
    JsonObject result = new JsonObject();
    int exit = 1;
    try {
      // what scripts/run.sh runs: the shipped file, and no SWITCHBOARD_* variable
      SwitchboardConfig config = Wait.on(ConfigLoader.load(vertx, ConfigLoader.DEFAULT_FILE, Map.of()), 10);
      node = Wait.on(Node.start(vertx, config, SwitchboardMetrics.create()), 30);
      SwitchboardConfig.MediaConfig media = node.mediaConfig();
      result.put("httpPort", node.httpPort()).put("mediaHost", media.host()).put("mediaPort", media.port())
          .put("topology", config.rooms().topology().wireName());

      List<Page> pages = new ArrayList<>();
      for (int i = 0; i < FIREFOX; i++) {
        ChromeDriver chromium = Chromium.start();
        chromiums.add(chromium);
        pages.add(script -> chromium.executeAsyncScript(script));
      }
      Firefox started = Firefox.start(FIREFOX_PREFS);
      firefox = started;
      result.put("firefox", started.version());
      pages.add(script -> started.executeAsyncScript(script));

      // the link the lobby's "copy link" gives, with the name filled in and joined at once, as the other app specs
      String link = "http://127.0.0.1:" + node.httpPort() + "/r/" + ROOM + "?join=1&video=320x240&name=";
      long opened = System.nanoTime();
      long openedEpochMs = System.currentTimeMillis();
      for (int i = 0; i < pages.size(); i++) {
        if (i == FIREFOX) {
          started.get(link + NAMES.get(i));
        } else {
          chromiums.get(i).get(link + NAMES.get(i));
        }
      }
      result.put("openingMs", millisSince(opened));

      JsonArray ids = new JsonArray();
      for (Page page : pages) {
        ids.add(waitForPeerId(page));
      }
      result.put("ids", ids);
      result.put("topologies", new JsonArray(pages.stream().map(p -> call(p, "return window.switchboard.topology()"))
          .toList()));

      JsonArray firstAt = new JsonArray();
      JsonArray seen = waitForAllDecoding(pages, ids, opened, firstAt);
      result.put("allDecoding", allDecodeEveryOther(seen, ids));
      result.put("allDecodingSeenMs", millisSince(opened));
      result.put("first", seen).put("firstDecodedMs", firstDecodedMs(pages, openedEpochMs));
      Thread.sleep(LATER_MS);
      JsonArray laterAt = new JsonArray();
      result.put("later", look(pages, opened, laterAt));
      result.put("firstLookMs", firstAt).put("laterLookMs", laterAt);
      result.put("statuses", new JsonArray(pages.stream().map(p -> call(p, "return window.switchboard.sfu()")).toList()));
      exit = 0;
    } catch (Exception e) {
      result.put("error", e.toString());
    } finally {
      JsonArray consoles = new JsonArray();
      for (ChromeDriver chromium : chromiums) {
        consoles.add(tail(Chromium.console(chromium)));
        chromium.quit();
      }
      if (firefox != null) {
        consoles.add(tail(firefox.console()));
        firefox.close();
      }
      result.put("consoles", consoles);
      if (node != null) {
        Wait.on(node.stop(), 20);
      }
      vertx.close();
    }
    System.out.println("RESULT " + result.encode());
    System.exit(exit);
  }

  /** The page's peer id once its room join is answered. */
  private static String waitForPeerId(Page page) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    Object id = null;
    while (id == null && System.currentTimeMillis() < deadline) {
      id = page.json("arguments[0](window.switchboard ? window.switchboard.peerId() : null)");
      if (id == null) {
        Thread.sleep(200);
      }
    }
    if (id == null) {
      throw new IllegalStateException("a page got no peer id in 30 s");
    }
    return (String) id;
  }

  /** A synchronous expression's value, run the asynchronous way both engines share. */
  private static Object call(Page page, String body) {
    try {
      return page.json("const done = arguments[arguments.length - 1]; done((() => { " + body + " })());");
    } catch (Exception e) {
      return e.toString();
    }
  }

  /** Polls every page until each decodes the video of the five others (or the deadline); returns the last look. */
  private static JsonArray waitForAllDecoding(List<Page> pages, JsonArray ids, long opened, JsonArray lookedAt)
      throws Exception {
    long deadline = System.currentTimeMillis() + DEADLINE_MS;
    JsonArray seen = look(pages, opened, lookedAt);
    while (!allDecodeEveryOther(seen, ids) && System.currentTimeMillis() < deadline) {
      Thread.sleep(250);
      seen = look(pages, opened, lookedAt);
    }
    return seen;
  }

  /**
   * Per page, per owner: when the page first saw a frame of its video decoded, in ms after the pages began to be
   * opened. The page notes it itself (its sfu() hook, polled every 500 ms from its join), which looking at six
   * pages from here could not (a look at all six takes seconds on 2 cores); its time origin is on the same clock.
   */
  private static JsonArray firstDecodedMs(List<Page> pages, long openedEpochMs) throws Exception {
    JsonArray perPage = new JsonArray();
    for (Page page : pages) {
      JsonObject seen = (JsonObject) page.json("arguments[0]({ origin: performance.timeOrigin,"
          + " status: window.switchboard.sfu() })");
      JsonObject status = seen.getJsonObject("status");
      double joined = seen.getDouble("origin") + status.getLong("joinReplyMs");
      JsonObject firsts = new JsonObject();
      status.getJsonObject("videoDecodedMs").forEach(e -> firsts.put(e.getKey(),
          Math.round(joined + ((Number) e.getValue()).longValue() - openedEpochMs)));
      perPage.add(firsts);
    }
    return perPage;
  }

  /**
   * Per page, its peers() hook: per owner shown, its name and what is received from it; {@code lookedAt} gets when
   * each page was read (ms after {@code opened}), since reading six pages takes seconds here.
   */
  static JsonArray look(List<Page> pages, long opened, JsonArray lookedAt) throws Exception {
    JsonArray seen = new JsonArray();
    lookedAt.clear();
    for (Page page : pages) {
      lookedAt.add(millisSince(opened));
      Object peers = page.json("window.switchboard ? window.switchboard.peers().then(arguments[0]) : arguments[0]([])");
      seen.add(peers instanceof JsonArray array ? array : new JsonArray());
    }
    return seen;
  }

  /** Every page shows the five others, each with video decoded. */
  static boolean allDecodeEveryOther(JsonArray seen, JsonArray ids) {
    for (int i = 0; i < seen.size(); i++) {
      JsonArray peers = seen.getJsonArray(i);
      for (int j = 0; j < ids.size(); j++) {
        String other = ids.getString(j);
        boolean decoding = peers.stream().map(p -> (JsonObject) p)
            .anyMatch(p -> other.equals(p.getString("id")) && p.getLong("framesDecoded", 0L) > 0);
        if (i != j && !decoding) {
          return false;
        }
      }
    }
    return true;
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }

  private static String tail(String console) {
    return console.length() > 3000 ? console.substring(console.length() - 3000) : console;
  }
}

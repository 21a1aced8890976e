package dev.switchboard.webapp;

import dev.switchboard.support.Chromium;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.openqa.selenium.chrome.ChromeDriver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Runs inside a loopback-only network namespace (see SfuAppInNamespaceTest): the real web app in an SFU room
 * (the default topology) with five Chromiums, the last of them relay-only through Switchboard's own TURN, which
 * admits no peer but the media node's address. Then a sixth joins, the second mutes, the first leaves, and the
 * media node's port is blocked, then opened again, and each page retries.
 * Prints {@code RESULT <json>} with what each page saw at each step; the spec asserts on it.
 */
public final class SfuAppScenario {
  static final String ROOM = "sfu-app";
  static final List<String> NAMES = List.of("Ana", "Ben", "Cy", "Dee", "Eve", "Fay");
  /** The fifth browser is relay-only. */
  static final int RELAY_ONLY = 4;

  private SfuAppScenario() {
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    List<ChromeDriver> browsers = new ArrayList<>();
    JsonObject result = new JsonObject();
    int exit = 1;
    // no allowed peers: the relay refuses loopback, except the media node's own announced address and port
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_SECRET", "sfu-app-secret",
        "SWITCHBOARD_TURN_ALLOWED_PEERS", ""))) {
      String base = "http://127.0.0.1:" + node.port() + "/r/" + ROOM + "?join=1&video=320x240&name=";
      for (int i = 0; i < 5; i++) {
        ChromeDriver browser = Chromium.start();
        browsers.add(browser);
        browser.get(base + NAMES.get(i) + (i == RELAY_ONLY ? "&relay=1" : ""));
      }
      List<String> ids = new ArrayList<>();
      for (ChromeDriver browser : browsers) {
        ids.add(waitFor(() -> peerId(browser), id -> id != null, 20_000));
      }
      result.put("ids", new JsonArray(ids));
      result.put("topology", browsers.get(0).executeScript("return window.switchboard.topology()"));

      // five: each decodes and hears the four others, and both keep rising
      result.put("five", waitForAll(browsers, 4, 60_000));
      result.put("fiveLater", looks(browsers, 1500));

      // a sixth: its tiles, measured in its page from its join reply
      ChromeDriver sixth = Chromium.start();
      browsers.add(sixth);
      long opened = System.currentTimeMillis();
      sixth.get(base + NAMES.get(5));
      ids.add(waitFor(() -> peerId(sixth), id -> id != null, 20_000));
      result.put("ids", new JsonArray(ids));
      JsonArray sixthPeers = waitForPeers(sixth, 5, true, 30_000);
      result.put("sixthDecodingMs", System.currentTimeMillis() - opened);
      result.put("sixth", sixthPeers).put("sixthStatus", sfuStatus(sixth));
      result.put("six", waitForAll(browsers, 5, 60_000));

      // the second mutes: the others see its flag
      browsers.get(1).executeScript("document.getElementById('toggle-audio').click()");
      String muted = ids.get(1);
      result.put("afterMute", waitForEvery(browsers.subList(2, 6), peers -> peers.stream()
          .anyMatch(p -> muted.equals(p.getString("id")) && !p.getBoolean("audio")), 10_000));

      // the first leaves: its tile goes from every page
      String leaving = ids.get(0);
      browsers.get(0).executeScript("document.getElementById('leave').click()");
      result.put("afterLeave", waitForEvery(browsers.subList(1, 6), peers -> peers.size() == 4
          && peers.stream().noneMatch(p -> leaving.equals(p.getString("id"))), 15_000));
      JsonArray statuses = new JsonArray();
      for (ChromeDriver browser : browsers.subList(1, 6)) {
        statuses.add(sfuStatus(browser));
      }
      result.put("statuses", statuses);

      // the media node becomes unreachable (every datagram to its port dropped): each page says so; once it is
      // reachable again, Retry (an ICE restart) brings the media back
      List<ChromeDriver> remaining = browsers.subList(1, 6);
      String mediaPort = String.valueOf(node.node().mediaConfig().port());
      iptables("-A", "INPUT", "-p", "udp", "--dport", mediaPort, "-j", "DROP");
      long blocked = System.currentTimeMillis();
      result.put("bannersWhileBlocked", waitForBanners(remaining, b -> b != null && "media".equals(b.getString("kind"))
          && "Retry".equals(b.getString("action")), 90_000));
      result.put("unreachableShownMs", System.currentTimeMillis() - blocked);
      iptables("-D", "INPUT", "-p", "udp", "--dport", mediaPort, "-j", "DROP");
      for (ChromeDriver browser : remaining) {
        browser.executeScript("document.getElementById('banner-action').click()");
      }
      long retried = System.currentTimeMillis();
      result.put("bannersAfterRetry", waitForBanners(remaining, b -> b == null, 30_000));
      result.put("reconnectedMs", System.currentTimeMillis() - retried);
      // the decoders start again at a keyframe, and the publishers' bandwidth estimate starts low after the outage
      JsonArray baseline = looks(remaining, 0);
      result.put("afterRetry", baseline);
      result.put("afterRetryLater", waitForRising(remaining, baseline, 45_000));
      result.put("recoveredMs", System.currentTimeMillis() - retried);
      JsonArray retriedStatuses = new JsonArray();
      for (ChromeDriver browser : remaining) {
        retriedStatuses.add(sfuStatus(browser));
      }
      result.put("retriedStatuses", retriedStatuses);
      exit = 0;
    } catch (Exception e) {
      result.put("error", e.toString());
    } finally {
      JsonArray consoles = new JsonArray();
      for (ChromeDriver browser : browsers) {
        String console = Chromium.console(browser);
        consoles.add(console.length() > 3000 ? console.substring(console.length() - 3000) : console);
        browser.quit();
      }
      result.put("consoles", consoles);
      vertx.close();
    }
    System.out.println("RESULT " + result.encode());
    System.exit(exit);
  }

  static void iptables(String... rule) throws Exception {
    List<String> command = new ArrayList<>(List.of("iptables"));
    command.addAll(List.of(rule));
    Process process = new ProcessBuilder(command).inheritIO().start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException("failed: " + command);
    }
  }

  /** Waits until every page's banner ({@code switchboard.banner()}, null when none) passes; returns the last look. */
  @SuppressWarnings("unchecked")
  static JsonArray waitForBanners(List<ChromeDriver> browsers, Predicate<JsonObject> condition, long millis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    JsonArray seen;
    boolean all;
    do {
      seen = new JsonArray();
      all = true;
      for (ChromeDriver browser : browsers) {
        Map<String, Object> banner = (Map<String, Object>) browser.executeScript("return window.switchboard.banner()");
        JsonObject look = banner == null ? null : new JsonObject(banner);
        seen.add(look);
        all &= condition.test(look);
      }
      if (!all) {
        Thread.sleep(250);
      }
    } while (!all && System.currentTimeMillis() < deadline);
    return seen;
  }

  static String peerId(ChromeDriver browser) {
    return (String) browser.executeScript("return window.switchboard ? window.switchboard.peerId() : null");
  }

  static JsonObject sfuStatus(ChromeDriver browser) {
    @SuppressWarnings("unchecked")
    Map<String, Object> status = (Map<String, Object>) browser.executeScript("return window.switchboard.sfu()");
    return status == null ? null : new JsonObject(status);
  }

  static JsonArray peers(ChromeDriver browser) {
    return new JsonArray(AppPage.peers(browser).stream().map(JsonObject::new).toList());
  }

  /** Every page shows {@code others} tiles, each decoding video and receiving audio; what each saw last. */
  static JsonArray waitForAll(List<ChromeDriver> browsers, int others, long millis) throws InterruptedException {
    return waitForEvery(browsers, peers -> peers.size() == others && peers.stream()
        .allMatch(p -> p.getLong("framesDecoded") > 0 && p.getLong("audioPackets") > 0), millis);
  }

  static JsonArray waitForPeers(ChromeDriver browser, int others, boolean decoding, long millis)
      throws InterruptedException {
    return waitForEvery(List.of(browser), peers -> peers.size() == others
        && (!decoding || peers.stream().allMatch(p -> p.getLong("framesDecoded") > 0)), millis).getJsonArray(0);
  }

  /** Waits until the condition holds on every page at once (or the time is up); returns the last look. */
  static JsonArray waitForEvery(List<ChromeDriver> browsers, Predicate<List<JsonObject>> condition, long millis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    JsonArray seen;
    boolean all;
    do {
      seen = new JsonArray();
      all = true;
      for (ChromeDriver browser : browsers) {
        JsonArray peers = peers(browser);
        seen.add(peers);
        all &= condition.test(peers.stream().map(p -> (JsonObject) p).toList());
      }
      if (!all) {
        Thread.sleep(250);
      }
    } while (!all && System.currentTimeMillis() < deadline);
    return seen;
  }

  /** Another look at every page after a pause, to see the counters rise. */
  static JsonArray looks(List<ChromeDriver> browsers, long pauseMillis) throws InterruptedException {
    Thread.sleep(pauseMillis);
    JsonArray seen = new JsonArray();
    for (ChromeDriver browser : browsers) {
      seen.add(peers(browser));
    }
    return seen;
  }

  /** Waits until each page decodes more frames of each of the others than in its own baseline look. */
  static JsonArray waitForRising(List<ChromeDriver> browsers, JsonArray baseline, long millis)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    JsonArray seen;
    boolean all;
    do {
      seen = new JsonArray();
      all = true;
      for (int i = 0; i < browsers.size(); i++) {
        JsonArray peers = peers(browsers.get(i));
        seen.add(peers);
        JsonArray before = baseline.getJsonArray(i);
        all &= peers.size() == before.size() && peers.stream().map(p -> (JsonObject) p).allMatch(p -> before.stream()
            .map(q -> (JsonObject) q).anyMatch(q -> q.getString("id").equals(p.getString("id"))
                && p.getLong("framesDecoded") > q.getLong("framesDecoded")));
      }
      if (!all) {
        Thread.sleep(250);
      }
    } while (!all && System.currentTimeMillis() < deadline);
    return seen;
  }

  static <T> T waitFor(java.util.function.Supplier<T> look, Predicate<T> done, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    T value = look.get();
    while (!done.test(value) && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
      value = look.get();
    }
    return value;
  }
}

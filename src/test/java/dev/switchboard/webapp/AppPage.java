package dev.switchboard.webapp;

import org.openqa.selenium.chrome.ChromeDriver;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What the browser specs read from the web app's test hooks ({@code window.switchboard}). */
final class AppPage {
  private AppPage() {
  }

  /** Per remote peer: name, flags, connection state and inbound video progress. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> peers(ChromeDriver browser) {
    return (List<Map<String, Object>>) browser.executeAsyncScript(
        "window.switchboard ? window.switchboard.peers().then(arguments[0]) : arguments[0]([])");
  }

  static String peerId(ChromeDriver browser) {
    return (String) browser.executeScript("return window.switchboard.peerId()");
  }

  static long number(Map<String, Object> map, String key) {
    return ((Number) map.get(key)).longValue();
  }

  static Map<String, Object> entryFor(List<Map<String, Object>> peers, String id) {
    return peers.stream().filter(p -> id.equals(p.get("id"))).findFirst().orElse(null);
  }

  static void waitFor(ChromeDriver browser, Predicate<List<Map<String, Object>>> condition, long millis,
                      String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    List<Map<String, Object>> last = List.of();
    while (System.currentTimeMillis() < deadline) {
      last = peers(browser);
      if (condition.test(last)) {
        return;
      }
      Thread.sleep(250);
    }
    fail(what + "; last seen: " + last);
  }

  /** Every remote peer decodes video and its received bytes grow between two looks. */
  static void mediaFlowsFrom(ChromeDriver browser, int expectedPeers) throws InterruptedException {
    waitFor(browser, ps -> ps.size() == expectedPeers && ps.stream().allMatch(p -> number(p, "framesDecoded") > 0),
        30_000, "video decoded from " + expectedPeers + " peers");
    List<Map<String, Object>> before = peers(browser);
    Thread.sleep(1500);
    for (Map<String, Object> peer : peers(browser)) {
      Map<String, Object> earlier = entryFor(before, (String) peer.get("id"));
      assertNotNull(earlier, "the same peers in two looks: " + before);
      assertTrue(number(peer, "bytesReceived") > number(earlier, "bytesReceived"), "bytes grow from " + peer);
    }
  }
}

package dev.switchboard.webapp;

import dev.switchboard.support.Chromium;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.chrome.ChromeDriver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.switchboard.webapp.AppPage.entryFor;
import static dev.switchboard.webapp.AppPage.mediaFlowsFrom;
import static dev.switchboard.webapp.AppPage.number;
import static dev.switchboard.webapp.AppPage.peerId;
import static dev.switchboard.webapp.AppPage.peers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Session resume seen from real browsers (protocol.md §5 and §7): a participant whose signaling socket drops
 * for 5 seconds, without phx_leave, stays in the call. The others are told it is disconnected, never that it
 * left; its video keeps arriving the whole time (the media path does not depend on the socket); it comes back
 * under the same peer id; and nothing is renegotiated or rebuilt on any side. Relay-only through Switchboard's
 * own TURN, as in CallInBrowsersTest, so that nothing leaves 127.0.0.1.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SignalingBlipInBrowsersTest {
  private static final long BLIP_MS = 5000;
  private static final long SAMPLE_MS = 500;
  /** After the reconnect: for the rejoin, and for the others to hear that the peer is connected again. */
  private static final long BACK_WITHIN_MS = 15_000;

  private TestNode node;
  private final List<ChromeDriver> browsers = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_SECRET", "blip-secret",
        "SWITCHBOARD_ROOMS_TOPOLOGY", "mesh"));
  }

  @AfterEach
  void stop() {
    browsers.forEach(ChromeDriver::quit);
    node.stop();
  }

  private ChromeDriver join(String room, String name) throws Exception {
    ChromeDriver browser = Chromium.start();
    browsers.add(browser);
    browser.get("http://127.0.0.1:" + node.port() + "/r/" + room + "?name=" + name + "&join=1&relay=1");
    return browser;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> call(ChromeDriver browser, String hook) {
    return (Map<String, Object>) browser.executeScript("return window.switchboard." + hook + "()");
  }

  /** What must not change across the blip, per browser: renegotiation counters per peer and tile churn. */
  private static Map<String, Object> stable(ChromeDriver browser) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("negotiationCounts", call(browser, "negotiationCounts"));
    out.put("tileChurn", call(browser, "tileChurn"));
    out.put("negotiation", browser.executeScript("return window.switchboard.negotiation"));
    return out;
  }

  @Test
  void a_five_second_signaling_blip_keeps_the_peer_id_the_connections_the_tiles_and_the_video() throws Exception {
    ChromeDriver ana = join("blip", "Ana");
    ChromeDriver ben = join("blip", "Ben");
    ChromeDriver cy = join("blip", "Cy");
    List<ChromeDriver> all = List.of(ana, ben, cy);
    List<ChromeDriver> others = List.of(ben, cy);
    for (ChromeDriver browser : all) {
      mediaFlowsFrom(browser, 2);
    }
    String anaId = peerId(ana);
    long anaJoins = number(call(ana, "status"), "joins");
    Map<ChromeDriver, Map<String, Object>> before = new LinkedHashMap<>();
    for (ChromeDriver browser : all) {
      before.put(browser, stable(browser));
    }

    long droppedAt = ((Number) ana.executeScript("return window.switchboard.dropSocket(arguments[0])", BLIP_MS)).longValue();

    // Every 500 ms from the drop until the others see Ana connected again: Ana's tile and connection are still
    // there at Ben and Cy, and the frames they decoded from her grew since the previous look.
    Map<ChromeDriver, List<Long>> frames = new LinkedHashMap<>();
    Map<ChromeDriver, List<String>> states = new LinkedHashMap<>();
    Map<ChromeDriver, Long> disconnectedSeenAt = new LinkedHashMap<>();
    others.forEach(b -> { frames.put(b, new ArrayList<>()); states.put(b, new ArrayList<>()); });
    boolean anaShowedReconnecting = false;
    long backAt = -1;
    for (int tick = 1; ; tick++) {
      long due = droppedAt + tick * SAMPLE_MS;
      Thread.sleep(Math.max(0, due - System.currentTimeMillis()));
      long now = System.currentTimeMillis();
      for (ChromeDriver other : others) {
        List<Map<String, Object>> seen = peers(other);
        Map<String, Object> fromAna = entryFor(seen, anaId);
        assertNotNull(fromAna, () -> "Ana's tile and connection kept at " + (now - droppedAt) + " ms after the drop: "
            + seen + "; departures " + other.executeScript("return window.switchboard.departures()"));
        assertEquals(2, seen.size(), "nobody else came or went: " + seen);
        frames.get(other).add(number(fromAna, "framesDecoded"));
        String peerState = (String) call(other, "peerStates").get(anaId);
        states.get(other).add((now - droppedAt) + " ms: " + peerState);
        if ("disconnected".equals(peerState) && !disconnectedSeenAt.containsKey(other)) {
          disconnectedSeenAt.put(other, now - droppedAt);
          assertEquals("flex", other.executeScript("return getComputedStyle(document.querySelector("
              + "'.tile[data-peer=\"' + arguments[0] + '\"] .reconnecting')).display", anaId),
              "Ana's tile shows reconnecting…");
        }
      }
      Map<String, Object> anaStatus = call(ana, "status");
      boolean anaBack = number(anaStatus, "joins") > anaJoins;
      anaShowedReconnecting |= !anaBack && Boolean.TRUE.equals(anaStatus.get("reconnecting"));
      boolean othersSeeConnected = others.stream()
          .allMatch(b -> "connected".equals(call(b, "peerStates").get(anaId)));
      if (anaBack && backAt < 0) {
        backAt = now - droppedAt;
      }
      if (now - droppedAt >= BLIP_MS && anaBack && othersSeeConnected) {
        break;
      }
      if (now - droppedAt > BLIP_MS + BACK_WITHIN_MS) {
        fail("Ana not back, or not seen connected, within " + BACK_WITHIN_MS + " ms of the reconnect: Ana "
            + anaStatus + ", states seen " + states + ", departures at Ben "
            + ben.executeScript("return window.switchboard.departures()"));
      }
    }

    for (ChromeDriver other : others) {
      Long seenAt = disconnectedSeenAt.get(other);
      assertNotNull(seenAt, "the others are told Ana is disconnected while her socket is down: " + states.get(other));
      assertTrue(seenAt < BLIP_MS, "disconnected seen before Ana reconnected: " + states.get(other));
      List<Long> decoded = frames.get(other);
      for (int i = 1; i < decoded.size(); i++) {
        assertTrue(decoded.get(i) > decoded.get(i - 1),
            "video from Ana keeps being decoded through the blip, every " + SAMPLE_MS + " ms: " + decoded);
      }
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> departures = (List<Map<String, Object>>) other.executeScript(
          "return window.switchboard.departures()");
      assertTrue(departures.stream().noneMatch(d -> anaId.equals(d.get("peer_id"))),
          "never peer:left for Ana: " + departures);
    }
    assertTrue(anaShowedReconnecting, "Ana's page said it was reconnecting while its socket was down");
    assertEquals(false, call(ana, "status").get("reconnecting"), "and no longer once back");
    assertEquals(anaId, peerId(ana), "Ana resumed under the same peer id (back " + backAt + " ms after the drop)");
    for (ChromeDriver browser : all) {
      assertEquals(before.get(browser), stable(browser),
          "no renegotiation and no tile rebuilt: negotiationneeded / signalingstatechange counts and tile churn");
      assertEquals(2L, browser.executeScript("return document.querySelectorAll('.tile:not(.local)').length"));
    }
    for (ChromeDriver browser : all) {
      mediaFlowsFrom(browser, 2);
    }
  }
}

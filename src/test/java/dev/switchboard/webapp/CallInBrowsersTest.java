package dev.switchboard.webapp;

import dev.switchboard.support.Chromium;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static dev.switchboard.webapp.AppPage.mediaFlowsFrom;
import static dev.switchboard.webapp.AppPage.number;
import static dev.switchboard.webapp.AppPage.peerId;
import static dev.switchboard.webapp.AppPage.peers;
import static dev.switchboard.webapp.AppPage.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web app in real headless Chromium. In the host namespace Chromium would pick the eth0 address for
 * direct paths, so these calls run relay-only ({@code ?relay=1}) through Switchboard's own TURN on 127.0.0.1.
 */
@ExtendWith(VertxExtension.class)
class CallInBrowsersTest {
  private TestNode node;
  private final List<ChromeDriver> browsers = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) {
    node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_SECRET", "webapp-secret",
        "SWITCHBOARD_ROOMS_TOPOLOGY", "mesh"));
  }

  @AfterEach
  void stop() {
    for (ChromeDriver browser : browsers) {
      System.out.println("--- browser " + browsers.indexOf(browser) + ": " + appState(browser) + "\n"
          + Chromium.console(browser));
    }
    System.out.println("--- node metrics\n" + metrics());
    browsers.forEach(ChromeDriver::quit);
    node.stop();
  }

  private ChromeDriver browser() throws Exception {
    ChromeDriver browser = Chromium.start();
    browsers.add(browser);
    return browser;
  }

  private void open(ChromeDriver browser, String room, String name) {
    browser.get("http://127.0.0.1:" + node.port() + "/r/" + room + "?name=" + name + "&join=1&relay=1");
  }

  private ChromeDriver join(String room, String name) throws Exception {
    ChromeDriver browser = browser();
    open(browser, room, name);
    return browser;
  }

  private String metrics() {
    try {
      String all = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + node.port() + "/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      return all.lines().filter(l -> !l.startsWith("#") && (l.contains("turn") || l.contains("refused")))
          .collect(java.util.stream.Collectors.joining("\n"));
    } catch (Exception e) {
      return "(metrics unavailable: " + e + ")";
    }
  }

  /** What the app knows, printed after each spec so a failure shows every side of every connection. */
  private static String appState(ChromeDriver browser) {
    try {
      return String.valueOf(browser.executeAsyncScript("const s = window.switchboard; if (!s) return arguments[0](null);"
          + "s.peers().then((peers) => arguments[0](JSON.stringify({me: s.peerId(), status: s.status(), peers,"
          + " negotiation: s.negotiation, counts: s.negotiationCounts(), departures: s.departures()})))"));
    } catch (RuntimeException e) {
      return "(unavailable: " + e.getMessage() + ")";
    }
  }

  private static long joins(ChromeDriver browser) {
    return ((Number) browser.executeScript("return window.switchboard.status().joins")).longValue();
  }

  @Test
  void three_participants_each_decode_video_from_both_others() throws Exception {
    ChromeDriver ana = join("trio", "Ana");
    ChromeDriver ben = join("trio", "Ben");
    ChromeDriver cy = join("trio", "Cy");
    for (ChromeDriver browser : List.of(ana, ben, cy)) {
      mediaFlowsFrom(browser, 2);
    }
    waitFor(ana, ps -> ps.stream().map(p -> p.get("name")).sorted().toList().equals(List.of("Ben", "Cy")), 5000,
        "display names arrive");
    Path shot = Path.of("target", "screenshots", "three-party-room.png");
    Files.createDirectories(shot.getParent());
    Files.write(shot, ana.getScreenshotAs(OutputType.BYTES));
    assertTrue(Files.size(shot) > 10_000);
  }

  @Test
  void a_leaving_participant_disappears_at_the_others_within_3_seconds() throws Exception {
    ChromeDriver ana = join("leave", "Ana");
    ChromeDriver ben = join("leave", "Ben");
    ChromeDriver cy = join("leave", "Cy");
    mediaFlowsFrom(ana, 2);
    mediaFlowsFrom(ben, 2);
    String cyId = peerId(cy);
    cy.findElement(By.id("leave")).click();
    for (ChromeDriver other : List.of(ana, ben)) {
      waitFor(other, ps -> ps.size() == 1 && ps.stream().noneMatch(p -> p.get("id").equals(cyId)), 3000,
          "Cy's tile and connection gone");
      assertEquals(1L, other.executeScript("return document.querySelectorAll('.tile:not(.local)').length"));
    }
  }

  /**
   * Holds with and without session resume on the server (protocol.md §7): Ben comes back under his old id
   * (resumed) or a new one (joined afresh), and either way only that id is in the room and media flows with
   * everyone. What a resume must keep besides is SignalingBlipInBrowsersTest's.
   */
  @Test
  void a_dropped_socket_comes_back_and_media_flows_with_everyone_again() throws Exception {
    ChromeDriver ana = join("again", "Ana");
    ChromeDriver ben = join("again", "Ben");
    ChromeDriver cy = join("again", "Cy");
    mediaFlowsFrom(ben, 2);
    String cyId = peerId(cy);
    long joinsBefore = joins(ben);
    ben.executeScript("window.switchboard.dropSocket()");
    long deadline = System.currentTimeMillis() + 30_000;
    while (joins(ben) == joinsBefore && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(joins(ben) > joinsBefore, "Ben joined the room again");
    String benNow = peerId(ben);
    waitFor(ana, ps -> ps.stream().map(p -> p.get("id")).sorted().toList().equals(List.of(benNow, cyId).stream().sorted().toList())
        && ps.stream().allMatch(p -> number(p, "framesDecoded") > 0), 30_000, "Ben back (as " + benNow + "), decoding");
    mediaFlowsFrom(ben, 2);
    mediaFlowsFrom(cy, 2);
  }

  /**
   * Not glare: the registry orders the two joins, so only the later one offers (the glare case is below).
   * That no offer collided is asserted, so this stays what it claims to be.
   */
  @Test
  void two_participants_joining_at_the_same_instant_connect() throws Exception {
    ChromeDriver ana = browser();
    ChromeDriver ben = browser();
    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> open(ana, "same-instant", "Ana"));
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> open(ben, "same-instant", "Ben"));
    CompletableFuture.allOf(first, second).join();
    mediaFlowsFrom(ana, 1);
    mediaFlowsFrom(ben, 1);
    for (ChromeDriver browser : List.of(ana, ben)) {
      assertEquals(0L, negotiation(browser).get("collisions"), "the newcomer alone offered");
    }
  }

  /**
   * Real glare: two connected browsers restart ICE at the same wall-clock millisecond, so each makes an
   * offer while the other's is in flight. Perfect negotiation must resolve it: the impolite side (the
   * greater peer id) ignores the colliding offer, the polite side rolls its own back and answers; both
   * end stable and connected with new ICE credentials, and video keeps decoding. If the two offers happen
   * not to cross (scheduling on a loaded machine), the simultaneous restart is tried again, up to 5 times.
   */
  @Test
  void both_sides_offering_at_once_is_resolved_by_perfect_negotiation_and_media_keeps_flowing() throws Exception {
    ChromeDriver ana = join("glare", "Ana");
    ChromeDriver ben = join("glare", "Ben");
    mediaFlowsFrom(ana, 1);
    mediaFlowsFrom(ben, 1);
    boolean anaPolite = peerId(ana).compareTo(peerId(ben)) < 0; // app.js: polite = own id < the other's
    ChromeDriver polite = anaPolite ? ana : ben;
    ChromeDriver impolite = anaPolite ? ben : ana;
    for (ChromeDriver browser : List.of(ana, ben)) {
      assertEquals(0L, negotiation(browser).get("collisions"), "no glare before the restarts");
    }

    List<String> attempts = new ArrayList<>();
    for (int attempt = 1; attempt <= 5 && negotiation(impolite).get("ignoredOffers") == 0; attempt++) {
      Map<String, Object> politeBefore = peers(polite).get(0);
      Map<String, Object> impoliteBefore = peers(impolite).get(0);
      // one script per browser, both firing at the same Date.now() instant: a timer to 300 ms before it,
      // then a busy wait, so neither page's timer slack (a loaded machine delays timers) separates the offers
      long at = System.currentTimeMillis() + 1500;
      String restartAt = "const at = arguments[0];"
          + "setTimeout(() => { while (Date.now() < at) {} window.restartedAt = window.switchboard.restartIce(); },"
          + " Math.max(0, at - Date.now() - 300));";
      ana.executeScript(restartAt, at);
      ben.executeScript(restartAt, at);
      Thread.sleep(Math.max(0, at - System.currentTimeMillis()));

      for (ChromeDriver[] pair : new ChromeDriver[][] {{polite, impolite}, {impolite, polite}}) {
        Map<String, Object> before = pair[0] == polite ? politeBefore : impoliteBefore;
        waitFor(pair[0], ps -> ps.size() == 1 && "connected".equals(ps.get(0).get("state"))
                && "stable".equals(ps.get(0).get("signalingState"))
                && !before.get("localIceUfrag").equals(ps.get(0).get("localIceUfrag"))
                && number(ps.get(0), "framesDecoded") > number(before, "framesDecoded"), 30_000,
            "connected and stable again after an ICE restart, new ICE credentials, more frames decoded");
      }
      attempts.add("attempt " + attempt + ": restartIce at " + restartedAt(ana) + " (Ana) / " + restartedAt(ben)
          + " (Ben); polite " + negotiation(polite) + ", impolite " + negotiation(impolite));
    }

    System.out.println("glare: " + attempts);
    Map<String, Long> politeCounts = negotiation(polite);
    Map<String, Long> impoliteCounts = negotiation(impolite);
    assertTrue(impoliteCounts.get("ignoredOffers") >= 1, "the impolite side ignored a colliding offer: " + attempts);
    assertTrue(politeCounts.get("rollbacks") >= 1, "the polite side rolled its offer back: " + attempts);
    assertEquals(0L, politeCounts.get("ignoredOffers"), "the polite side never ignores: " + attempts);
    assertEquals(0L, impoliteCounts.get("rollbacks"), "the impolite side never rolls back: " + attempts);
    mediaFlowsFrom(ana, 1);
    mediaFlowsFrom(ben, 1);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Long> negotiation(ChromeDriver browser) {
    return (Map<String, Long>) browser.executeScript("return window.switchboard.negotiation");
  }

  private static Object restartedAt(ChromeDriver browser) {
    return browser.executeScript("return window.restartedAt");
  }

  @Test
  void mute_and_camera_off_are_seen_by_the_others() throws Exception {
    ChromeDriver ana = join("flags", "Ana");
    ChromeDriver ben = join("flags", "Ben");
    mediaFlowsFrom(ben, 1);
    ana.findElement(By.id("toggle-audio")).click();
    ana.findElement(By.id("toggle-video")).click();
    waitFor(ben, ps -> ps.size() == 1 && Boolean.FALSE.equals(ps.get(0).get("audio"))
        && Boolean.FALSE.equals(ps.get(0).get("video")), 5000, "Ana shown muted with camera off");
    assertEquals(false, ben.executeScript("return document.querySelector('.tile:not(.local) .muted-flag').hidden"));
    ana.findElement(By.id("toggle-audio")).click();
    waitFor(ben, ps -> Boolean.TRUE.equals(ps.get(0).get("audio")), 5000, "Ana unmuted");
  }
}

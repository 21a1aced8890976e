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
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
    node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_SECRET", "webapp-secret"));
  }

  @AfterEach
  void stop() {
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

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> peers(ChromeDriver browser) {
    return (List<Map<String, Object>>) browser.executeAsyncScript(
        "window.switchboard ? window.switchboard.peers().then(arguments[0]) : arguments[0]([])");
  }

  private static long number(Map<String, Object> peer, String key) {
    return ((Number) peer.get(key)).longValue();
  }

  private static void waitFor(ChromeDriver browser, Predicate<List<Map<String, Object>>> condition, long millis,
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
  private static void mediaFlowsFrom(ChromeDriver browser, int expectedPeers) throws InterruptedException {
    waitFor(browser, ps -> ps.size() == expectedPeers && ps.stream().allMatch(p -> number(p, "framesDecoded") > 0),
        30_000, "video decoded from " + expectedPeers + " peers");
    List<Map<String, Object>> before = peers(browser);
    Thread.sleep(1500);
    List<Map<String, Object>> after = peers(browser);
    for (Map<String, Object> peer : after) {
      Map<String, Object> earlier = before.stream().filter(p -> p.get("id").equals(peer.get("id"))).findFirst().orElseThrow();
      assertTrue(number(peer, "bytesReceived") > number(earlier, "bytesReceived"), "bytes grow from " + peer);
    }
  }

  private static String peerId(ChromeDriver browser) {
    return (String) browser.executeScript("return window.switchboard.peerId");
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

  @Test
  void a_dropped_socket_comes_back_and_media_flows_with_everyone_again() throws Exception {
    ChromeDriver ana = join("again", "Ana");
    ChromeDriver ben = join("again", "Ben");
    ChromeDriver cy = join("again", "Cy");
    mediaFlowsFrom(ben, 2);
    String before = peerId(ben);
    ben.executeScript("window.switchboard.dropSocket()");
    waitFor(ana, ps -> ps.size() == 2 && ps.stream().noneMatch(p -> p.get("id").equals(before))
        && ps.stream().allMatch(p -> number(p, "framesDecoded") > 0), 30_000, "Ben back under a new id");
    assertNotEquals(before, peerId(ben));
    mediaFlowsFrom(ben, 2);
    mediaFlowsFrom(cy, 2);
  }

  @Test
  void two_participants_joining_at_the_same_instant_connect() throws Exception {
    ChromeDriver ana = browser();
    ChromeDriver ben = browser();
    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> open(ana, "glare", "Ana"));
    CompletableFuture<Void> second = CompletableFuture.runAsync(() -> open(ben, "glare", "Ben"));
    CompletableFuture.allOf(first, second).join();
    mediaFlowsFrom(ana, 1);
    mediaFlowsFrom(ben, 1);
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

package dev.switchboard.webapp;

import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.LoopbackNamespace;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web app in an SFU room (the default topology), six Chromiums in a loopback-only namespace, one of them
 * relay-only through Switchboard's own TURN: one scenario (SfuAppScenario), several specifications of its result.
 */
@Timeout(300)
class SfuAppInNamespaceTest {

  @Test
  void five_then_six_browsers_see_and_hear_each_other_through_the_media_node_and_a_leaver_disappears() throws Exception {
    ExternalProcess.Result run = ExternalProcess.run(LoopbackNamespace.java(List.of(), SfuAppScenario.class),
        Duration.ofSeconds(280));
    String output = run.output();
    assertEquals(0, run.exit(), output);
    String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
    assertNotNull(line, output);
    JsonObject result = new JsonObject(line.substring("RESULT ".length()));
    JsonObject figures = result.copy();
    figures.remove("consoles");
    System.out.println("RESULT " + figures.encode()); // what every page saw, for whoever reads the report
    assertEquals(null, result.getString("error"), line);
    assertEquals("sfu", result.getString("topology"), "SFU rooms by default");
    List<String> ids = result.getJsonArray("ids").stream().map(String::valueOf).toList();
    assertEquals(6, new HashSet<>(ids).size(), line);

    // five: each decodes the four others' video and receives their audio, named as they joined, still rising
    JsonArray five = result.getJsonArray("five");
    JsonArray later = result.getJsonArray("fiveLater");
    for (int i = 0; i < 5; i++) {
      Map<String, JsonObject> now = byId(five.getJsonArray(i));
      Map<String, JsonObject> after = byId(later.getJsonArray(i));
      Set<String> others = new HashSet<>(ids.subList(0, 5));
      others.remove(ids.get(i));
      assertEquals(others, now.keySet(), "browser " + i + " shows the four others: " + line);
      for (String other : others) {
        JsonObject first = now.get(other);
        JsonObject second = after.get(other);
        assertEquals(SfuAppScenario.NAMES.get(ids.indexOf(other)), first.getString("name"), line);
        assertTrue(second.getLong("framesDecoded") > first.getLong("framesDecoded"),
            "browser " + i + " keeps decoding " + other + ": " + first + " then " + second);
        assertTrue(second.getLong("audioPackets") > first.getLong("audioPackets"),
            "browser " + i + " keeps receiving audio of " + other + ": " + first + " then " + second);
        assertEquals("connected", second.getString("state"), line);
        assertEquals(i == SfuAppScenario.RELAY_ONLY ? "relay" : "host", second.getString("candidateType"),
            "browser " + i + " (relay-only: " + (i == SfuAppScenario.RELAY_ONLY) + "): " + second);
      }
    }

    // a sixth sees the five; how fast its tiles came is printed, not asserted
    assertEquals(new HashSet<>(ids.subList(0, 5)), byId(result.getJsonArray("sixth")).keySet(), line);
    JsonObject shown = result.getJsonObject("sixthStatus").getJsonObject("tilesShownMs");
    assertEquals(5, shown.size(), line);
    long slowest = shown.stream().mapToLong(e -> ((Number) e.getValue()).longValue()).max().orElseThrow();
    JsonObject decoded = result.getJsonObject("sixthStatus").getJsonObject("videoDecodedMs");
    System.out.println("SFU web app: the sixth participant's 5 tiles appeared within " + slowest
        + " ms of its join reply (per owner " + shown.encode() + "), their first decoded frames were seen within "
        + decoded.stream().mapToLong(e -> ((Number) e.getValue()).longValue()).max().orElse(-1)
        + " ms (polled every 500 ms; per owner " + decoded.encode() + "); all 5 decoding "
        + result.getLong("sixthDecodingMs") + " ms after its page was opened (its join reply came "
        + result.getJsonObject("sixthStatus").getLong("joinReplyMs") + " ms after navigation start)");
    JsonArray six = result.getJsonArray("six");
    for (int i = 0; i < 6; i++) {
      assertEquals(5, six.getJsonArray(i).size(), "browser " + i + " shows the five others: " + line);
    }

    // the second muted: the others see its flag
    for (Object page : result.getJsonArray("afterMute")) {
      assertFalse(byId((JsonArray) page).get(ids.get(1)).getBoolean("audio"), line);
    }
    // the first left: gone from every page
    for (Object page : result.getJsonArray("afterLeave")) {
      Set<String> shownIds = byId((JsonArray) page).keySet();
      assertFalse(shownIds.contains(ids.get(0)), line);
      assertEquals(4, shownIds.size(), line);
    }
    for (Object status : result.getJsonArray("statuses")) {
      assertEquals(new JsonArray(), ((JsonObject) status).getJsonArray("errors"), line);
    }

    // the media node unreachable: every page says so with a Retry; after the retry media flows again
    for (Object banner : result.getJsonArray("bannersWhileBlocked")) {
      assertEquals(new JsonObject().put("text", "Media server unreachable.").put("kind", "media").put("action", "Retry"),
          banner, line);
    }
    for (Object banner : result.getJsonArray("bannersAfterRetry")) {
      assertEquals(null, banner, line);
    }
    JsonArray afterRetry = result.getJsonArray("afterRetry");
    JsonArray afterRetryLater = result.getJsonArray("afterRetryLater");
    for (int i = 0; i < 5; i++) {
      Map<String, JsonObject> now = byId(afterRetry.getJsonArray(i));
      Map<String, JsonObject> after = byId(afterRetryLater.getJsonArray(i));
      assertEquals(4, after.size(), line);
      for (String other : after.keySet()) {
        assertTrue(after.get(other).getLong("framesDecoded") > now.get(other).getLong("framesDecoded"),
            "page " + i + " decodes " + other + " again after the retry: " + now.get(other) + " then " + after.get(other));
      }
    }
    System.out.println("SFU web app: 'Media server unreachable' shown on every page " + result.getLong("unreachableShownMs")
        + " ms after the media port was blocked; connected again " + result.getLong("reconnectedMs")
        + " ms after Retry, every video decoding again on every page " + result.getLong("recoveredMs") + " ms after it");
  }

  private static Map<String, JsonObject> byId(JsonArray peers) {
    Map<String, JsonObject> map = new HashMap<>();
    for (Object p : peers) {
      map.put(((JsonObject) p).getString("id"), (JsonObject) p);
    }
    return map;
  }
}

package dev.switchboard.webapp;

import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.LoopbackNamespace;
import dev.switchboard.support.NodeModules;
import dev.switchboard.support.VethPair;
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
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12's first "done when": on scripts/run.sh's defaults (conf/switchboard.yaml, no override), five Chromiums
 * and one Firefox ESR hold one SFU call on the real web app page, each decoding every other participant's video.
 * Inside a namespace with a veth pair (Firefox gathers no candidates on loopback alone), where the default ports
 * are free; MixedEnginesSfuCallScenario runs it. Firefox's path to the node (through the built-in TURN relay over
 * TCP, see the scenario) and each page's selected candidate are printed, not asserted.
 */
@Timeout(300)
class MixedEnginesSfuCallInNamespaceTest {

  @Test
  void five_chromiums_and_a_firefox_on_the_default_configuration_each_decode_the_five_others_video()
      throws Exception {
    NodeModules.install(); // puppeteer-core, from npm, before the namespace cuts the network off
    ExternalProcess.Result run = ExternalProcess.run(
        LoopbackNamespace.java(VethPair.setup(), MixedEnginesSfuCallScenario.class), Duration.ofSeconds(270));
    String output = run.output();
    assertEquals(0, run.exit(), output);
    String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
    assertNotNull(line, output);
    JsonObject result = new JsonObject(line.substring("RESULT ".length()));
    JsonObject figures = result.copy();
    figures.remove("consoles");
    System.out.println("RESULT " + figures.encode()); // what every page saw, for whoever reads the report
    assertEquals(null, result.getString("error"), line);

    // the shipped defaults, as scripts/run.sh starts a node
    assertEquals("sfu", result.getString("topology"), line);
    assertEquals(4000, result.getInteger("httpPort"), line);
    assertEquals("127.0.0.1", result.getString("mediaHost"), line);
    assertEquals(10000, result.getInteger("mediaPort"), line);
    assertTrue(result.getString("firefox", "").startsWith("firefox/"), line);
    for (Object topology : result.getJsonArray("topologies")) {
      assertEquals("sfu", topology, "every page is in an SFU room: " + line);
    }

    List<String> ids = result.getJsonArray("ids").stream().map(String::valueOf).toList();
    assertEquals(6, new HashSet<>(ids).size(), line);
    JsonArray first = result.getJsonArray("first");
    JsonArray later = result.getJsonArray("later");
    StringBuilder report = new StringBuilder();
    for (int i = 0; i < ids.size(); i++) {
      String page = (i == MixedEnginesSfuCallScenario.FIREFOX ? "Firefox " : "Chromium ")
          + MixedEnginesSfuCallScenario.NAMES.get(i);
      Map<String, JsonObject> now = byId(first.getJsonArray(i));
      Map<String, JsonObject> after = byId(later.getJsonArray(i));
      Set<String> others = new HashSet<>(ids);
      others.remove(ids.get(i));
      assertEquals(others, now.keySet(), page + " shows the five others: " + line);
      assertEquals(others, after.keySet(), page + " still shows the five others: " + line);
      long interval = result.getJsonArray("laterLookMs").getLong(i) - result.getJsonArray("firstLookMs").getLong(i);
      report.append("\n  ").append(page).append(" (looks ").append(interval).append(" ms apart): ");
      for (String other : others) {
        String owner = MixedEnginesSfuCallScenario.NAMES.get(ids.indexOf(other));
        long before = now.get(other).getLong("framesDecoded");
        long then = after.get(other).getLong("framesDecoded");
        assertTrue(before > 0 && then > before, page + " keeps decoding " + owner + "'s video: " + before + " then "
            + then + " frames: " + line);
        report.append(owner).append(' ').append(before).append("->").append(then).append(", ");
      }
      JsonObject path = after.values().iterator().next(); // one PeerConnection per page: the same for every owner
      report.append("over a ").append(path.getString("candidateType"))
          .append(path.getString("relayProtocol") == null ? "" : "/" + path.getString("relayProtocol"))
          .append(" candidate");
      assertEquals(new JsonArray(), result.getJsonArray("statuses").getJsonObject(i).getJsonArray("errors"),
          page + " negotiated without an error: " + line);
    }
    JsonArray firstDecoded = result.getJsonArray("firstDecodedMs");
    List<Long> lastPerPage = firstDecoded.stream().map(o -> ((JsonObject) o).stream()
        .mapToLong(e -> ((Number) e.getValue()).longValue()).max().orElse(-1)).toList();
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(5, firstDecoded.getJsonObject(i).size(), "page " + i + " noted its five first frames: " + line);
    }
    System.out.println("Mixed engines on the defaults (" + result.getString("firefox") + "): all 30 pairs decoding "
        + lastPerPage.stream().mapToLong(Long::longValue).max().orElse(-1) + " ms after the six pages began to be opened"
        + " (opening them took " + result.getLong("openingMs") + " ms; per page, its last first frame at "
        + lastPerPage.stream().map(String::valueOf).collect(Collectors.joining(", ")) + " ms, as each page noted it,"
        + " polling every 500 ms; seen from the test at " + result.getLong("allDecodingSeenMs") + " ms);"
        + " frames decoded per page per owner at two looks:"
        + report);
  }

  private static Map<String, JsonObject> byId(JsonArray peers) {
    Map<String, JsonObject> map = new HashMap<>();
    for (Object p : peers) {
      map.put(((JsonObject) p).getString("id"), (JsonObject) p);
    }
    return map;
  }
}

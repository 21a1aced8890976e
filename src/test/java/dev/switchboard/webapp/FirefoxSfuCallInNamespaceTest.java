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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Firefox ESR and Chromium in one SFU room, each with one PeerConnection to the media node: a second browser
 * engine, whose SDP (extmap ids, payload types, ssrc lines, msid format) is not Chrome's, publishes and subscribes
 * through the node. Inside a namespace with a veth pair (Firefox gathers no candidates on loopback alone).
 */
@Timeout(240)
class FirefoxSfuCallInNamespaceTest {

  @Test
  void firefox_and_chromium_each_decode_the_others_video_and_receive_its_audio_through_the_media_node()
      throws Exception {
    NodeModules.install(); // puppeteer-core, from npm, before the namespace cuts the network off
    ExternalProcess.Result run = ExternalProcess.run(
        LoopbackNamespace.java(VethPair.setup(), FirefoxSfuCallScenario.class), Duration.ofSeconds(200));
    String output = run.output();
    assertEquals(0, run.exit(), output);
    String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
    assertTrue(line != null, output);
    System.out.println(line); // the figures (codecs, frames, packets, time to flowing) for whoever reads the report
    JsonObject result = new JsonObject(line.substring("RESULT ".length()));
    assertEquals(null, result.getString("error"), line);
    JsonArray browsers = result.getJsonArray("browsers");
    JsonObject firefox = browsers.getJsonObject(0);
    JsonObject chromium = browsers.getJsonObject(1);
    assertNotEquals(firefox.getString("peerId"), chromium.getString("peerId"), line);
    for (JsonObject browser : new JsonObject[] {firefox, chromium}) {
      assertEquals("connected", browser.getString("state"), line);
      assertEquals(new JsonArray(), browser.getJsonArray("errors"), line);
    }
    assertTrue(FirefoxSfuCallScenario.receivesMediaOf(firefox, chromium.getString("peerId")),
        "Firefox decodes Chromium's video and receives its audio: " + output);
    assertTrue(FirefoxSfuCallScenario.receivesMediaOf(chromium, firefox.getString("peerId")),
        "Chromium decodes Firefox's video and receives its audio: " + output);
  }
}

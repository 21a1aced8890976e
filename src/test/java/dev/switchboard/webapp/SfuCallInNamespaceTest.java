package dev.switchboard.webapp;

import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.LoopbackNamespace;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three Chromiums in one SFU room, each with one PeerConnection to the media node (host candidates inside a
 * loopback-only namespace): each decodes the two others' video, and knows whose video each track is.
 */
@Timeout(180)
class SfuCallInNamespaceTest {

  @Test
  void three_browsers_each_decode_the_two_others_video_through_the_media_node() throws Exception {
    ExternalProcess.Result run = ExternalProcess.run(LoopbackNamespace.java(List.of(), SfuCallScenario.class),
        Duration.ofSeconds(150));
    String output = run.output();
    assertEquals(0, run.exit(), output);
    String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
    assertTrue(line != null, output);
    System.out.println(line); // the figures (frames decoded, NACKs) for whoever reads the report
    JsonObject result = new JsonObject(line.substring("RESULT ".length()));
    assertEquals(null, result.getString("error"), line);
    assertEquals(true, result.getBoolean("flowing"), line);
    Set<String> everyone = new HashSet<>();
    for (Object b : result.getJsonArray("browsers")) {
      everyone.add(((JsonObject) b).getString("peerId"));
    }
    assertEquals(3, everyone.size(), line);
    for (Object b : result.getJsonArray("browsers")) {
      JsonObject browser = (JsonObject) b;
      assertEquals("connected", browser.getString("state"), line);
      assertEquals(new JsonArray(), browser.getJsonArray("errors"), line);
      Set<String> owners = new HashSet<>();
      for (Object v : browser.getJsonArray("videos")) {
        JsonObject video = (JsonObject) v;
        if (video.getLong("framesDecoded") > 0) {
          owners.add(video.getString("owner"));
        }
      }
      Set<String> others = new HashSet<>(everyone);
      others.remove(browser.getString("peerId"));
      assertEquals(others, owners, "each decodes the others' video, keyed by owner: " + line);
    }
  }
}

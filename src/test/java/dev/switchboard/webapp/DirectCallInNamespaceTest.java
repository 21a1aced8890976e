package dev.switchboard.webapp;

import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.LoopbackNamespace;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 3-party call over direct (host candidate) paths. In the host namespace Chromium would use the
 * machine's external address, so node and browsers run in a fresh network namespace with only loopback.
 */
class DirectCallInNamespaceTest {

  @Test
  void three_browsers_in_a_loopback_only_namespace_connect_directly_and_decode_each_other() throws Exception {
    ExternalProcess.Result run = ExternalProcess.run(LoopbackNamespace.java(List.of(), DirectCallScenario.class),
        Duration.ofSeconds(120));
    String output = run.output();
    assertEquals(0, run.exit(), output);
    String line = output.lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
    assertTrue(line != null, output);
    JsonObject result = new JsonObject(line.substring("RESULT ".length()));
    assertEquals(null, result.getString("error"), output);
    assertEquals(true, result.getBoolean("flowing"), line);
    for (Object browser : result.getJsonArray("peers")) {
      for (Object peer : (JsonArray) browser) {
        JsonObject p = (JsonObject) peer;
        assertEquals("connected", p.getString("state"), line);
        assertEquals("host", p.getString("candidateType"), "a direct path, no relay: " + line);
      }
    }
  }
}

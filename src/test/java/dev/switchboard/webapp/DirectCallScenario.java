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

/**
 * Runs inside a loopback-only network namespace (see DirectCallInNamespaceTest): a node without a relay
 * and three browsers in one room, direct paths only. Prints one line {@code RESULT <json>} with what
 * each browser saw after media flowed, then exits.
 */
public final class DirectCallScenario {
  private DirectCallScenario() {
  }

  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    List<ChromeDriver> browsers = new ArrayList<>();
    JsonObject result = new JsonObject();
    int exit = 1;
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_RELAY_ENABLED", "false",
        "SWITCHBOARD_ROOMS_TOPOLOGY", "mesh"))) {
      for (String name : List.of("Ana", "Ben", "Cy")) {
        ChromeDriver browser = Chromium.start();
        browsers.add(browser);
        browser.get("http://127.0.0.1:" + node.port() + "/r/direct?name=" + name + "&join=1");
      }
      long deadline = System.currentTimeMillis() + 45_000;
      JsonArray seen = new JsonArray();
      boolean flowing = false;
      while (!flowing && System.currentTimeMillis() < deadline) {
        Thread.sleep(500);
        seen = new JsonArray();
        flowing = true;
        for (ChromeDriver browser : browsers) {
          List<Map<String, Object>> peers = (List<Map<String, Object>>) browser.executeAsyncScript(
              "window.switchboard ? window.switchboard.peers().then(arguments[0]) : arguments[0]([])");
          seen.add(new JsonArray(peers.stream().map(JsonObject::new).toList()));
          flowing &= peers.size() == 2 && peers.stream().allMatch(p -> ((Number) p.get("framesDecoded")).longValue() > 0);
        }
      }
      result.put("flowing", flowing).put("peers", seen);
      exit = 0;
    } catch (Exception e) {
      result.put("error", e.toString());
    } finally {
      browsers.forEach(ChromeDriver::quit);
      vertx.close();
    }
    System.out.println("RESULT " + result.encode());
    System.exit(exit);
  }
}

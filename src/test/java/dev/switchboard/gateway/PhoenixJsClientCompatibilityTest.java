package dev.switchboard.gateway;

import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The official phoenix npm client, unchanged, under Node with ws as its transport. */
@ExtendWith(VertxExtension.class)
class PhoenixJsClientCompatibilityTest {

  @Test
  void two_phoenix_js_sockets_join_learn_their_ids_and_exchange_offer_and_answer(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.start(vertx)) {
      ExternalProcess.Result run = ExternalProcess.run(new ProcessBuilder("node", "src/test/node/phoenix-compat.mjs",
          "ws://127.0.0.1:" + node.port() + "/socket").redirectErrorStream(true), Duration.ofSeconds(30));
      String output = run.output().trim();
      assertEquals(0, run.exit(), output);
      JsonObject result = new JsonObject(output.substring(output.lastIndexOf('\n') + 1));

      String a = result.getString("a");
      String b = result.getString("b");
      assertTrue(a.length() >= 16 && !a.equals(b), output);
      assertEquals(new JsonArray().add(a), result.getJsonArray("peersSeenByB"));
      assertEquals(new JsonArray().add(a), result.getJsonArray("roomPeersOfB"));
      JsonObject turn = result.getJsonArray("iceServers").getJsonObject(1);
      assertTrue(turn.getString("username").contains(":" + b + ":"), "the TURN username carries the peer id: " + output);
      assertTrue(turn.containsKey("credential"), output);
      assertEquals(b, result.getString("joinedSeenByA"));
      assertEquals(a, result.getString("offerFrom"));
      assertEquals(new JsonObject().put("type", "offer").put("sdp", "v=0 compat"), result.getJsonObject("offerBody"));
      assertEquals(b, result.getString("answerFrom"));
      assertEquals("v=0 answer", result.getJsonObject("answerBody").getString("sdp"));
      assertTrue(result.getString("refused").contains("unknown_peer"), output);
      assertTrue(result.getString("foreign").contains("unauthorized"), output);
      assertEquals(a, result.getString("leftSeenByB"));
    }
  }
}

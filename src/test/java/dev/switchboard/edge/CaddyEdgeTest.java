package dev.switchboard.edge;

import dev.switchboard.support.CaddyProcess;
import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.switchboard.support.Wait.on;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The committed Caddyfile, run by real caddy in front of real nodes. */
@ExtendWith(VertxExtension.class)
class CaddyEdgeTest {
  private static final String SOCKET = "/socket/websocket?vsn=2.0.0";

  private record Page(int status, MultiMap headers, String body) {
  }

  private static Page get(Vertx vertx, int port, String path) {
    HttpClient https = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false).setForceSni(true));
    try {
      return on(https.request(HttpMethod.GET, port, "localhost", path).compose(r -> r.send())
          .compose(response -> response.body().map(body -> new Page(response.statusCode(), response.headers(),
              body.toString(StandardCharsets.UTF_8)))), 10);
    } finally {
      https.close();
    }
  }

  @Test
  void the_committed_caddyfile_validates() throws Exception {
    ExternalProcess.Result validate = ExternalProcess.run(Duration.ofSeconds(30),
        "caddy", "validate", "--adapter", "caddyfile", "--config", "Caddyfile");
    assertEquals(0, validate.exit(), validate.output());
    assertTrue(validate.output().contains("Valid configuration"), validate.output());
  }

  @Test
  void https_serves_the_app_with_security_headers_and_wss_carries_a_join_and_a_relayed_signal(Vertx vertx)
      throws Exception {
    try (TestNode node = TestNode.start(vertx);
         CaddyProcess caddy = CaddyProcess.start("127.0.0.1:" + node.port())) {
      Page home = get(vertx, caddy.httpsPort(), "/");
      assertEquals(200, home.status(), caddy.log());
      assertTrue(home.body().contains("Switchboard"));
      assertEquals("nosniff", home.headers().get("X-Content-Type-Options"));
      assertTrue(home.headers().get("Permissions-Policy").contains("camera=(self)"));
      assertTrue(home.headers().get("Permissions-Policy").contains("display-capture=(self)"));
      assertNull(home.headers().get("Strict-Transport-Security"), "no HSTS for localhost");
      assertEquals(200, get(vertx, caddy.httpsPort(), "/r/demo").status(), "client-side route falls back to the app");
      assertEquals("ok", new JsonObject(get(vertx, caddy.httpsPort(), "/health").body()).getString("status"));

      try (TestClient a = TestClient.connectSecure(vertx, caddy.httpsPort(), SOCKET);
           TestClient b = TestClient.connectSecure(vertx, caddy.httpsPort(), SOCKET)) {
        a.enter("edge");
        b.enter("edge");
        JsonObject reply = a.push(a.joinRef("room:edge"), "room:edge", "signal:offer",
            new JsonObject().put("to", b.peerId()).put("body", "v=0 through caddy"));
        assertEquals("ok", reply.getString("status"));
        assertEquals("v=0 through caddy",
            b.awaitEvent("peer:" + b.peerId(), "signal:offer").getJsonObject(4).getString("body"));
      }
    }
  }

  @Test
  void when_one_of_two_upstreams_stops_new_sockets_land_on_the_other() throws Exception {
    Vertx first = Vertx.vertx();
    Vertx second = Vertx.vertx();
    try {
      TestNode stopping = TestNode.start(first);
      TestNode surviving = TestNode.start(second);
      try (CaddyProcess caddy = CaddyProcess.start("127.0.0.1:" + stopping.port() + " 127.0.0.1:" + surviving.port())) {
        try (TestClient before = TestClient.connectSecure(second, caddy.httpsPort(), SOCKET)) {
          before.enter("lb-before");
        }
        stopping.stop();
        double joinsBefore = okJoins(surviving);
        for (int i = 0; i < 5; i++) {
          try (TestClient client = TestClient.connectSecure(second, caddy.httpsPort(), SOCKET)) {
            assertEquals(0, client.enter("lb-" + i).getJsonArray("peers").size());
          }
        }
        assertEquals(joinsBefore + 5, okJoins(surviving), "every new socket joined on the surviving node");
        surviving.stop();
      }
    } finally {
      on(first.close(), 10);
      on(second.close(), 10);
    }
  }

  private static double okJoins(TestNode node) {
    return node.node().metrics().registry().counter("switchboard.joins", "result", "ok").count();
  }
}

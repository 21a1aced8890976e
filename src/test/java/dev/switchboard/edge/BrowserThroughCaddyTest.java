package dev.switchboard.edge;

import dev.switchboard.support.CaddyProcess;
import dev.switchboard.support.Chromium;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.chrome.ChromeDriver;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real Chromium on Caddy's HTTPS: a secure context, and phoenix.js signaling over WSS through the proxy. */
@ExtendWith(VertxExtension.class)
class BrowserThroughCaddyTest {
  private static final String SIGNALING_IN_PAGE = """
      const done = arguments[arguments.length - 1];
      import('/vendor/phoenix.mjs').then(async ({Socket}) => {
        const join = (ch) => new Promise((ok, fail) => ch.join().receive('ok', ok)
            .receive('error', (e) => fail(JSON.stringify(e))).receive('timeout', () => fail('timeout')));
        const a = new Socket('/socket'); a.connect();
        const b = new Socket('/socket'); b.connect();
        const roomA = a.channel('room:browser'); const joinedA = await join(roomA);
        const roomB = b.channel('room:browser'); const joinedB = await join(roomB);
        const peerB = b.channel('peer:' + joinedB.peer_id); await join(peerB);
        const offer = new Promise((ok) => peerB.on('signal:offer', ok));
        roomA.push('signal:offer', {to: joinedB.peer_id, body: {type: 'offer', sdp: 'v=0 browser'}});
        const received = await offer;
        done({secure: window.isSecureContext, endpoint: a.endPointURL(), a: joinedA.peer_id,
              peersOfB: joinedB.peers, from: received.from, sdp: received.body.sdp});
      }).catch((e) => done({error: String(e)}));
      """;

  @Test
  void chromium_gets_a_secure_context_and_signals_over_wss_through_caddy(Vertx vertx) throws Exception {
    try (TestNode node = TestNode.start(vertx, java.util.Map.of("SWITCHBOARD_ROOMS_TOPOLOGY", "mesh")); CaddyProcess caddy = CaddyProcess.start("127.0.0.1:" + node.port())) {
      ChromeDriver browser = Chromium.start("--ignore-certificate-errors");
      try {
        browser.get("https://localhost:" + caddy.httpsPort() + "/r/browser");
        assertTrue(browser.getTitle().contains("Switchboard"), browser.getTitle());
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) browser.executeAsyncScript(SIGNALING_IN_PAGE);
        assertNull(result.get("error"), String.valueOf(result));
        assertEquals(true, result.get("secure"), "camera and microphone need a secure context");
        assertTrue(String.valueOf(result.get("endpoint")).startsWith("wss://localhost:" + caddy.httpsPort()
            + "/socket/websocket"), String.valueOf(result));
        assertEquals(java.util.List.of(result.get("a")), result.get("peersOfB"));
        assertEquals(result.get("a"), result.get("from"));
        assertEquals("v=0 browser", result.get("sdp"));
      } finally {
        browser.quit();
      }
    }
  }
}

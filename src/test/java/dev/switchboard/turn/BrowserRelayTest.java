package dev.switchboard.turn;

import dev.switchboard.support.Chromium;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.chrome.ChromeDriver;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real Chromium, relay-only: two peer connections in one page get their ICE servers from the node, and
 * media must flow through Switchboard's TURN relay (over UDP, then with TURN over TCP).
 */
@ExtendWith(VertxExtension.class)
class BrowserRelayTest {
  private static final String RELAYED_CALL = """
      const [transport, done] = [arguments[0], arguments[arguments.length - 1]];
      (async () => {
        const ice_servers = JSON.parse(arguments[1]); // from a join reply: only admitted peers get credentials
        const iceServers = ice_servers.filter(s => s.username).map(s => ({...s,
            urls: s.urls.filter(u => u.endsWith('transport=' + transport))}));
        const config = {iceServers, iceTransportPolicy: 'relay'};
        const a = new RTCPeerConnection(config), b = new RTCPeerConnection(config);
        a.onicecandidate = e => e.candidate && b.addIceCandidate(e.candidate);
        b.onicecandidate = e => e.candidate && a.addIceCandidate(e.candidate);
        const stream = await navigator.mediaDevices.getUserMedia({video: {width: 320, height: 240, frameRate: 15}});
        stream.getTracks().forEach(t => a.addTrack(t, stream));
        await a.setLocalDescription();
        await b.setRemoteDescription(a.localDescription);
        await b.setLocalDescription();
        await a.setRemoteDescription(b.localDescription);
        const inbound = async () => [...(await b.getStats()).values()].find(s => s.type === 'inbound-rtp' && s.kind === 'video');
        let first = null;
        for (let i = 0; i < 100; i++) {
          await new Promise(r => setTimeout(r, 200));
          const stats = await inbound();
          if (stats && stats.framesDecoded > 0) {
            if (!first) { first = stats; continue; }
            if (stats.bytesReceived > first.bytesReceived) break;
          }
        }
        const report = await a.getStats();
        const transportStats = [...report.values()].find(s => s.type === 'transport');
        const pair = report.get(transportStats.selectedCandidatePairId);
        const local = report.get(pair.localCandidateId);
        const last = await inbound();
        done({framesDecoded: last ? last.framesDecoded : 0, bytesFirst: first ? first.bytesReceived : 0,
              bytesLast: last ? last.bytesReceived : 0, candidateType: local.candidateType,
              relayProtocol: local.relayProtocol, state: a.connectionState});
        [a, b].forEach(pc => pc.close());
        stream.getTracks().forEach(t => t.stop());
      })().catch(e => done({error: String(e)}));
      """;

  @ParameterizedTest(name = "TURN over {0}")
  @ValueSource(strings = {"udp", "tcp"})
  void media_flows_through_the_relay_and_the_selected_local_candidate_is_relay(String transport, Vertx vertx)
      throws Exception {
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_SECRET", "browser-secret"))) {
      ChromeDriver browser = Chromium.start();
      try (dev.switchboard.support.TestClient admitted = node.connect()) {
        String iceServers = admitted.enter("relay-test").getJsonArray("ice_servers").encode();
        browser.get("http://127.0.0.1:" + node.port() + "/");
        @SuppressWarnings("unchecked")
        Map<String, Object> result = (Map<String, Object>) browser.executeAsyncScript(RELAYED_CALL, transport, iceServers);
        assertNull(result.get("error"), String.valueOf(result));
        assertEquals("connected", result.get("state"), String.valueOf(result));
        assertEquals("relay", result.get("candidateType"), String.valueOf(result));
        assertEquals(transport, result.get("relayProtocol"), String.valueOf(result));
        assertTrue(((Number) result.get("framesDecoded")).longValue() > 0, String.valueOf(result));
        assertTrue(((Number) result.get("bytesLast")).longValue() > ((Number) result.get("bytesFirst")).longValue(),
            "bytes keep flowing: " + result);
        assertTrue(node.node().metrics().registry().get("switchboard.turn.relayed.packets").functionCounter().count() > 0);
      } finally {
        browser.quit();
      }
    }
  }
}

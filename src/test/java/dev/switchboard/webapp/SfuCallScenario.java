package dev.switchboard.webapp;

import dev.switchboard.support.Chromium;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.openqa.selenium.chrome.ChromeDriver;

import java.net.DatagramSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs inside a loopback-only network namespace (see SfuCallInNamespaceTest): a node with its media node on and
 * three Chromiums that each hold one PeerConnection to it, negotiated over {@code room:<id>} by a minimal client
 * (below; the web app's SFU mode is to come). Prints {@code RESULT <json>}: per browser, the remote video tracks it
 * decodes, keyed by owner.
 */
public final class SfuCallScenario {
  /** One PeerConnection to the node, perfect negotiation with the client polite (protocol.md §8). */
  static final String CLIENT = """
      const done = arguments[arguments.length - 1];
      const [base, room] = [arguments[0], arguments[1]];
      const { Socket } = await import(base + "/vendor/phoenix.mjs");
      const socket = new Socket("/socket");
      socket.connect();
      const channel = socket.channel("room:" + room, {});
      const sfu = window.sfu = { owners: {}, errors: [], offers: 0 };
      const pc = sfu.pc = new RTCPeerConnection({ bundlePolicy: "max-bundle", rtcpMuxPolicy: "require" });
      let makingOffer = false;
      pc.ontrack = ({ track, streams }) => { sfu.owners[track.id] = streams[0] ? streams[0].id : null; };
      pc.onnegotiationneeded = async () => {
        try {
          makingOffer = true;
          await pc.setLocalDescription();
          channel.push("media:offer", { sdp: pc.localDescription.sdp })
            .receive("ok", async ({ sdp }) => {
              try { await pc.setRemoteDescription({ type: "answer", sdp }); } catch (e) { sfu.errors.push("answer " + e); }
            })
            .receive("error", (e) => sfu.errors.push("offer refused " + JSON.stringify(e)));
        } catch (e) { sfu.errors.push("offer " + e); } finally { makingOffer = false; }
      };
      channel.on("media:offer", async ({ sdp }) => {
        try {
          sfu.offers++;
          await pc.setRemoteDescription({ type: "offer", sdp }); // rolls a crossing offer of ours back
          await pc.setLocalDescription();
          channel.push("media:answer", { sdp: pc.localDescription.sdp })
            .receive("error", (e) => sfu.errors.push("answer refused " + JSON.stringify(e)));
        } catch (e) { sfu.errors.push("node offer " + e); sfu.failedOffer = sdp; sfu.localAtFailure = pc.localDescription && pc.localDescription.sdp; }
      });
      channel.join().receive("ok", async ({ peer_id }) => {
        sfu.peerId = peer_id;
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240, frameRate: 15 } });
        for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
        done(peer_id);
      }).receive("error", (e) => done("join refused " + JSON.stringify(e)));
      """;

  /** Per remote video track: its owner (the stream id is the owner's peer id) and frames decoded. */
  static final String STATS = """
      const done = arguments[arguments.length - 1];
      const sfu = window.sfu;
      const stats = await sfu.pc.getStats();
      const videos = [];
      stats.forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") {
          videos.push({ owner: sfu.owners[s.trackIdentifier] || null, framesDecoded: s.framesDecoded || 0,
            nackCount: s.nackCount || 0 });
        }
      });
      done({ peerId: sfu.peerId, state: sfu.pc.connectionState, videos, errors: sfu.errors, offers: sfu.offers,
        failedOffer: sfu.failedOffer || null, localAtFailure: sfu.localAtFailure || null });
      """;

  private SfuCallScenario() {
  }

  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    List<ChromeDriver> browsers = new ArrayList<>();
    JsonObject result = new JsonObject();
    int exit = 1;
    int mediaPort;
    try (DatagramSocket probe = new DatagramSocket(0)) {
      mediaPort = probe.getLocalPort();
    }
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_RELAY_ENABLED", "false",
        "SWITCHBOARD_MEDIA_ENABLED", "true", "SWITCHBOARD_MEDIA_PORT", String.valueOf(mediaPort)))) {
      String base = "http://127.0.0.1:" + node.port();
      for (int i = 0; i < 3; i++) {
        ChromeDriver browser = Chromium.start();
        browsers.add(browser);
        browser.get(base + "/vendor/phoenix.mjs");
        Object joined = browser.executeAsyncScript(CLIENT, base, "sfu");
        result.put("joined" + i, String.valueOf(joined));
      }
      long deadline = System.currentTimeMillis() + 45_000;
      JsonArray seen = new JsonArray();
      boolean flowing = false;
      while (!flowing && System.currentTimeMillis() < deadline) {
        Thread.sleep(500);
        seen = new JsonArray();
        flowing = true;
        for (ChromeDriver browser : browsers) {
          JsonObject stats = new JsonObject((Map<String, Object>) browser.executeAsyncScript(STATS));
          seen.add(stats);
          List<Object> decoding = stats.getJsonArray("videos").stream()
              .filter(v -> ((JsonObject) v).getLong("framesDecoded") > 0).toList();
          flowing &= decoding.size() == 2;
        }
      }
      result.put("flowing", flowing).put("browsers", seen);
      exit = 0;
    } catch (Exception e) {
      result.put("error", e.toString());
    } finally {
      for (ChromeDriver browser : browsers) {
        result.put("console", result.getString("console", "") + Chromium.console(browser));
        browser.quit();
      }
      vertx.close();
    }
    System.out.println("RESULT " + result.encode());
    System.exit(exit);
  }
}

package dev.switchboard.webapp;

import dev.switchboard.support.Chromium;
import dev.switchboard.support.Firefox;
import dev.switchboard.support.TestNode;
import dev.switchboard.support.VethPair;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.openqa.selenium.chrome.ChromeDriver;

import java.net.DatagramSocket;
import java.util.Map;

/**
 * Runs inside a network namespace with a veth pair and a default route (see FirefoxSfuCallInNamespaceTest; Firefox
 * gathers no candidates on loopback alone): a node whose media node binds the veth address, Firefox ESR (over
 * WebDriver BiDi) and Chromium (Selenium) in one SFU room, each with one PeerConnection negotiated by
 * {@link SfuCallScenario#CLIENT}. Prints {@code RESULT <json>}: per browser, what it receives from whom (decoded
 * video frames, audio packets, codec), once each receives the other's audio and decodes its video, or at the
 * deadline.
 */
public final class FirefoxSfuCallScenario {
  /** Per remote track, by receiver (the same in both engines): owner, kind, codec, packets and frames. */
  static final String RECEIVED = """
      const done = arguments[arguments.length - 1];
      const sfu = window.sfu;
      const received = [];
      for (const receiver of sfu.pc.getReceivers()) {
        const stats = await receiver.getStats();
        stats.forEach((s) => {
          if (s.type !== "inbound-rtp") return;
          const codec = s.codecId && stats.get(s.codecId);
          received.push({ owner: sfu.owners[receiver.track.id] || null, kind: s.kind || receiver.track.kind,
            codec: codec ? codec.mimeType : null, packetsReceived: s.packetsReceived || 0,
            framesDecoded: s.framesDecoded || 0, keyFramesDecoded: s.keyFramesDecoded || 0,
            packetsLost: s.packetsLost || 0, nackCount: s.nackCount || 0, pliCount: s.pliCount || 0 });
        });
      }
      const sent = [];
      for (const sender of sfu.pc.getSenders()) {
        if (!sender.track) continue;
        (await sender.getStats()).forEach((s) => {
          if (s.type !== "outbound-rtp") return;
          sent.push({ kind: s.kind || sender.track.kind, packetsSent: s.packetsSent || 0,
            framesEncoded: s.framesEncoded || 0, keyFramesEncoded: s.keyFramesEncoded || 0,
            pliCount: s.pliCount || 0, firCount: s.firCount || 0, nackCount: s.nackCount || 0 });
        });
      }
      done({ peerId: sfu.peerId, state: sfu.pc.connectionState, received, sent, errors: sfu.errors,
        offers: sfu.offers,
        sdpLog: window.sdpLog || [] });
      """;

  /**
   * Run before the client: records every description either side sets, so that a run where media does not flow
   * shows each offer and answer in order (which side rejected what).
   */
  static final String SDP_LOG = """
      const done = arguments[arguments.length - 1];
      const log = window.sdpLog = [];
      for (const name of ["setLocalDescription", "setRemoteDescription"]) {
        const original = RTCPeerConnection.prototype[name];
        RTCPeerConnection.prototype[name] = async function (description) {
          const result = await original.apply(this, arguments);
          const set = name === "setLocalDescription" ? this.localDescription : this.remoteDescription;
          log.push(name + " " + (set ? set.type + " " + set.sdp : "none"));
          return result;
        };
      }
      done(true);
      """;

  private FirefoxSfuCallScenario() {
  }

  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    Firefox firefox = null;
    ChromeDriver chromium = null;
    JsonObject result = new JsonObject();
    int exit = 1;
    int mediaPort;
    try (DatagramSocket probe = new DatagramSocket(0)) {
      mediaPort = probe.getLocalPort();
    }
    try (TestNode node = TestNode.start(vertx, Map.of("SWITCHBOARD_TURN_RELAY_ENABLED", "false",
        "SWITCHBOARD_MEDIA_ENABLED", "true", "SWITCHBOARD_MEDIA_HOST", VethPair.ADDRESS,
        "SWITCHBOARD_MEDIA_PORT", String.valueOf(mediaPort)))) {
      String base = "http://127.0.0.1:" + node.port();
      long started = System.nanoTime();
      firefox = Firefox.start();
      result.put("firefox", firefox.version());
      firefox.get(base + "/vendor/phoenix.mjs");
      firefox.executeAsyncScript(SDP_LOG);
      result.put("firefoxJoined", String.valueOf(firefox.executeAsyncScript(SfuCallScenario.CLIENT, base, "sfu")));
      chromium = Chromium.start();
      chromium.get(base + "/vendor/phoenix.mjs");
      chromium.executeAsyncScript(SDP_LOG);
      result.put("chromiumJoined", String.valueOf(chromium.executeAsyncScript(SfuCallScenario.CLIENT, base, "sfu")));
      long deadline = System.currentTimeMillis() + 60_000;
      JsonObject fromFirefox = null;
      JsonObject fromChromium = null;
      boolean flowing = false;
      while (!flowing && System.currentTimeMillis() < deadline) {
        Thread.sleep(500);
        fromFirefox = (JsonObject) firefox.executeAsyncScript(RECEIVED);
        fromChromium = new JsonObject((Map<String, Object>) chromium.executeAsyncScript(RECEIVED));
        flowing = receivesMediaOf(fromFirefox, fromChromium.getString("peerId"))
            && receivesMediaOf(fromChromium, fromFirefox.getString("peerId"));
      }
      result.put("flowing", flowing).put("millisToFlowing", (System.nanoTime() - started) / 1_000_000)
          .put("browsers", new JsonArray().add(describe("firefox", fromFirefox, flowing))
              .add(describe("chromium", fromChromium, flowing)));
      exit = 0;
    } catch (Exception e) {
      result.put("error", e.toString());
    } finally {
      if (firefox != null) {
        result.put("firefoxConsole", firefox.console());
        firefox.close();
      }
      if (chromium != null) {
        result.put("chromiumConsole", Chromium.console(chromium));
        chromium.quit();
      }
      vertx.close();
    }
    System.out.println("RESULT " + result.encode());
    System.exit(exit);
  }

  /**
   * Frames of the other's video that make a stream, not a lone keyframe (2 s at 15 fps): while the node left
   * Firefox's extension ids unmapped, Chromium decoded 2 or 3 frames of Firefox's video in 60 s.
   */
  static final int STREAM_FRAMES = 30;

  /** The other's video decoded as a stream and its audio received, as this browser's stats tell. */
  static boolean receivesMediaOf(JsonObject stats, String other) {
    boolean video = false;
    boolean audio = false;
    for (Object r : stats.getJsonArray("received")) {
      JsonObject track = (JsonObject) r;
      if (other != null && other.equals(track.getString("owner"))) {
        video |= "video".equals(track.getString("kind")) && track.getLong("framesDecoded") >= STREAM_FRAMES;
        audio |= "audio".equals(track.getString("kind")) && track.getLong("packetsReceived") > 0;
      }
    }
    return video && audio;
  }

  /** The SDP is only kept when media did not flow: it is what tells why. */
  private static JsonObject describe(String engine, JsonObject stats, boolean flowing) {
    JsonObject described = stats == null ? new JsonObject() : stats.copy();
    if (flowing) {
      described.remove("sdpLog");
    }
    return described.put("engine", engine);
  }
}

package dev.switchboard.media.sdp;

import dev.switchboard.support.Chromium;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.IOException;
import java.util.Base64;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * One RTCPeerConnection in headless Chromium on about:blank, driven step by step: the browser side of the
 * node's negotiation without a server or any media flowing. about:blank is no secure context, so there is no
 * getUserMedia: the "camera" is a canvas stream and the "microphone" an oscillator, which give the same
 * transceivers, SSRCs and msids in the SDP.
 */
final class BrowserPeer implements AutoCloseable {
  private static final String STEP = """
      const [step, sdp, done] = [arguments[0], atob(arguments[1]), arguments[arguments.length - 1]];
      (async () => {
        if (step === 'open') {
          if (window.pc) window.pc.close();
          window.pc = new RTCPeerConnection({bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require'});
          window.streams = [];
          pc.ontrack = e => window.streams.push(e.streams.map(s => s.id).join(',') + ' ' + e.track.kind);
          return 'open';
        }
        if (step === 'camera+mic') {
          const canvas = document.createElement('canvas'); canvas.width = 320; canvas.height = 240;
          canvas.getContext('2d').fillRect(0, 0, 320, 240);
          const audio = new AudioContext(), tone = audio.createOscillator(), sink = audio.createMediaStreamDestination();
          tone.connect(sink); tone.start();
          const stream = new MediaStream([...sink.stream.getAudioTracks(), ...canvas.captureStream(15).getVideoTracks()]);
          stream.getTracks().forEach(t => pc.addTrack(t, stream));
          await pc.setLocalDescription();
          return pc.localDescription.sdp;
        }
        if (step === 'screen') {
          const canvas = document.createElement('canvas'); canvas.width = 640; canvas.height = 360;
          canvas.getContext('2d').fillRect(0, 0, 640, 360);
          const track = canvas.captureStream(5).getVideoTracks()[0];
          pc.addTrack(track, new MediaStream([track]));
          await pc.setLocalDescription();
          return pc.localDescription.sdp;
        }
        if (step === 'mic') {
          const audio = new AudioContext(), tone = audio.createOscillator(), sink = audio.createMediaStreamDestination();
          tone.connect(sink); tone.start();
          pc.addTrack(sink.stream.getAudioTracks()[0], sink.stream);
          await pc.setLocalDescription();
          return pc.localDescription.sdp;
        }
        if (step === 'restart') { pc.restartIce(); await pc.setLocalDescription(); return pc.localDescription.sdp; }
        if (step === 'data') { pc.createDataChannel('chat'); await pc.setLocalDescription(); return pc.localDescription.sdp; }
        if (step === 'answer') { await pc.setRemoteDescription({type: 'answer', sdp}); return 'ok'; }
        if (step === 'offer') {
          await pc.setRemoteDescription({type: 'offer', sdp});
          await pc.setLocalDescription();
          return pc.localDescription.sdp;
        }
        if (step === 'state') {
          return JSON.stringify({signaling: pc.signalingState, streams: window.streams,
            transceivers: pc.getTransceivers().map(t => t.mid + ' ' + t.currentDirection)});
        }
        throw new Error('no step ' + step);
      })().then(r => done(btoa(r)), e => done(btoa('error: ' + e)));
      """;

  private final ChromeDriver driver;

  private BrowserPeer(ChromeDriver driver) {
    this.driver = driver;
  }

  static BrowserPeer start() throws IOException {
    System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
    ChromeDriver driver = Chromium.start();
    try {
      driver.get("about:blank");
      return new BrowserPeer(driver);
    } catch (RuntimeException e) {
      driver.quit();
      throw e;
    }
  }

  /** A fresh RTCPeerConnection (max-bundle, rtcp-mux required: what the node's clients use). */
  void open() {
    step("open", "");
  }

  /** Adds a camera and a microphone track and returns the offer set as local description. */
  String offerCameraAndMic() {
    return step("camera+mic", "");
  }

  /** Adds a screen track with addTrack (which may take over a transceiver the node created) and offers. */
  String offerScreen() {
    return step("screen", "");
  }

  /** Adds a microphone track only and offers: a client that never offers video. */
  String offerMic() {
    return step("mic", "");
  }

  /** restartIce() and the offer it makes (new ufrag and pwd). */
  String offerIceRestart() {
    return step("restart", "");
  }

  /** Adds a data channel and returns the offer set as local description. */
  String offerDataChannel() {
    return step("data", "");
  }

  /** setRemoteDescription(answer); fails the caller with Chromium's reason. */
  void acceptAnswer(String sdp) {
    step("answer", sdp);
  }

  /** setRemoteDescription(offer), then setLocalDescription(): the browser's answer. */
  String answer(String offer) {
    return step("offer", offer);
  }

  /** signalingState, the streams of the tracks ontrack gave ("streamId kind"), "mid currentDirection" per transceiver. */
  String state() {
    return step("state", "");
  }

  private String step(String step, String sdp) {
    // base64 both ways: WebDriver drops the CRs of a string result, and the SDP must arrive byte for byte
    Object result = driver.executeAsyncScript(STEP, step, Base64.getEncoder().encodeToString(sdp.getBytes(UTF_8)));
    String text = new String(Base64.getDecoder().decode(String.valueOf(result)), UTF_8);
    if (text.startsWith("error: ")) {
      throw new AssertionError("Chromium, " + step + ": " + text + "\n" + sdp);
    }
    return text;
  }

  /** What the page logged, for a failing spec. */
  String console() {
    return Chromium.console(driver);
  }

  @Override
  public void close() {
    driver.quit();
  }
}

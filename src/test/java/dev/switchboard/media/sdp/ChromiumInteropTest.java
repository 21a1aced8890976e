package dev.switchboard.media.sdp;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The node's SDP against real Chromium: it must take the node's answer and the node's offers
 * (setRemoteDescription succeeds), and the node must take what Chromium answers. One browser for the class, a
 * fresh RTCPeerConnection per spec. With {@code -Dsdp.capture.dir=$PWD/src/test/resources/sdp} the specs also write
 * the SDP they exchange there, each file that is not there yet: that is how the fixtures of the other specs were
 * captured ({@code chrome-session-offer}, {@code chrome-answer-to-node-offer}, {@code chrome-answer-to-node-reoffer}
 * and {@code chrome-reoffer-screen-share} are one session, replayed by {@link ChromeSession}).
 */
@Tag("browser")
@Timeout(30)
class ChromiumInteropTest {
  private static BrowserPeer browser;

  @BeforeAll
  static void startChromium() throws IOException {
    browser = BrowserPeer.start();
  }

  @AfterAll
  static void stopChromium() {
    if (browser != null) {
      browser.close();
    }
  }

  @Test
  @Timeout(15)
  void chromium_accepts_the_nodes_answer_to_its_camera_and_mic_offer() throws Exception {
    browser.open();
    String offerText = browser.offerCameraAndMic();
    capture("chrome-offer-audio-video.sdp", offerText);
    RemoteDescription offer = OfferReader.read(offerText);
    MediaPlan plan = Plans.plan();
    MediaPlan.RemoteChange change = plan.applyRemoteOffer(offer);
    assertEquals(List.of("0", "1"), change.receiving());
    String answer = SessionBuilder.answer(plan, offer);
    capture("node-answer-to-chrome.sdp", answer);

    browser.acceptAnswer(answer);

    String state = browser.state();
    assertTrue(state.contains("\"0 sendonly\"") && state.contains("\"1 sendonly\""), state);
    assertTrue(state.contains("\"signaling\":\"stable\""), state);
  }

  @Test
  @Timeout(15)
  void chromium_answers_the_nodes_offer_of_three_tracks_and_the_plan_takes_the_answer() throws Exception {
    browser.open();
    String cameraAndMic = browser.offerCameraAndMic();
    capture("chrome-session-offer.sdp", cameraAndMic);
    RemoteDescription offer = OfferReader.read(cameraAndMic);
    MediaPlan plan = Plans.plan();
    plan.applyRemoteOffer(offer);
    browser.acceptAnswer(SessionBuilder.answer(plan, offer));
    plan.addSendTrack(MediaKind.AUDIO, "alice-mic", "alice", 1001, 0);
    plan.addSendTrack(MediaKind.VIDEO, "alice-cam", "alice", 2001, 2002);
    plan.addSendTrack(MediaKind.VIDEO, "bob-cam", "bob", 3001, 3002);
    String nodeOffer = SessionBuilder.offer(plan);
    capture("node-offer-three-tracks.sdp", nodeOffer);

    String answerText = browser.answer(nodeOffer);
    capture("chrome-answer-to-node-offer.sdp", answerText);
    plan.applyRemoteAnswer(OfferReader.read(answerText));

    assertEquals(MediaPlan.SignalingState.STABLE, plan.signalingState());
    assertEquals(List.of("0", "1", "t1", "t2", "t3"), plan.sections().stream().map(PlannedSection::mid).toList());
    for (String mid : List.of("t1", "t2", "t3")) {
      assertEquals(Direction.SENDONLY, plan.section(mid).orElseThrow().negotiated(), mid);
    }
    String state = browser.state();
    assertTrue(state.contains("alice audio") && state.contains("alice video") && state.contains("bob video"), state);
    assertTrue(state.contains("\"t3 recvonly\""), state);

    // alice leaves her camera, carol comes: carol's camera takes alice's inactive section over
    plan.removeSendTrack("alice-cam");
    assertEquals("t2", plan.addSendTrack(MediaKind.VIDEO, "carol-cam", "carol", 4001, 4002).mid());
    String reoffer = SessionBuilder.offer(plan);
    String reanswer = browser.answer(reoffer);
    capture("chrome-answer-to-node-reoffer.sdp", reanswer);
    plan.applyRemoteAnswer(OfferReader.read(reanswer));
    assertEquals(Direction.SENDONLY, plan.section("t2").orElseThrow().negotiated());
    assertTrue(browser.state().contains("carol video"), browser.state());

    // the client shares its screen: its offer brings one more section it sends on, and takes the node's answer
    String screenOffer = browser.offerScreen();
    capture("chrome-reoffer-screen-share.sdp", screenOffer);
    RemoteDescription screen = OfferReader.read(screenOffer);
    MediaPlan.RemoteChange change = plan.applyRemoteOffer(screen);
    assertEquals(1, change.receiving().size(), String.valueOf(change));
    String screenAnswer = SessionBuilder.answer(plan, screen);
    browser.acceptAnswer(screenAnswer);
    String mid = change.receiving().get(0);
    assertTrue(browser.state().contains("\"" + mid + " sendonly\"") || browser.state().contains("\"" + mid
        + " sendrecv\""), mid + " " + browser.state() + "\n" + screenAnswer);
  }

  @Test
  @Timeout(15)
  void chromium_accepts_the_nodes_rejection_of_a_data_channel() throws Exception {
    browser.open();
    browser.offerCameraAndMic();
    String offerText = browser.offerDataChannel();
    RemoteDescription offer = OfferReader.read(offerText);
    MediaPlan plan = Plans.plan();
    plan.applyRemoteOffer(offer);
    String answer = SessionBuilder.answer(plan, offer);

    browser.acceptAnswer(answer);

    assertTrue(answer.contains("m=application 0 UDP/DTLS/SCTP webrtc-datachannel"), answer);
    assertTrue(plan.section("2").orElseThrow().rejected());
  }

  /** Writes a fixture that is not there yet: delete the ones of a spec to capture them anew, together. */
  @Test
  @Timeout(15)
  void chromium_takes_video_in_the_nodes_default_payload_types_when_it_offered_audio_only() throws Exception {
    browser.open();
    RemoteDescription offer = OfferReader.read(browser.offerMic());
    MediaPlan plan = Plans.plan();
    plan.applyRemoteOffer(offer);
    browser.acceptAnswer(SessionBuilder.answer(plan, offer));
    PlannedSection cam = plan.addSendTrack(MediaKind.VIDEO, "alice-cam", "alice", 2001, 2002);
    assertEquals(List.of(96, 97, 102, 103), cam.codecs().stream().map(Codec::pt).toList());

    RemoteDescription answer = OfferReader.read(browser.answer(SessionBuilder.offer(plan)));
    plan.applyRemoteAnswer(answer);

    assertEquals(List.of(96, 97, 102, 103), answer.section("t1").orElseThrow().codecs().stream().map(Codec::pt).toList());
    assertEquals(Direction.SENDONLY, plan.section("t1").orElseThrow().negotiated());
    assertTrue(browser.state().contains("alice video"), browser.state());
  }

  @Test
  @Timeout(15)
  void chromium_restarts_ice_and_takes_the_nodes_new_credentials() throws Exception {
    browser.open();
    RemoteDescription offer = OfferReader.read(browser.offerCameraAndMic());
    MediaPlan plan = Plans.plan();
    plan.applyRemoteOffer(offer);
    browser.acceptAnswer(SessionBuilder.answer(plan, offer));

    RemoteDescription restart = OfferReader.read(browser.offerIceRestart());
    MediaPlan.RemoteChange change = plan.applyRemoteOffer(restart);
    assertTrue(change.iceRestart(), String.valueOf(change));
    plan.restartIce("restarted", "restartedPasswordOf24+/");
    String answer = SessionBuilder.answer(plan, restart);
    browser.acceptAnswer(answer);

    assertTrue(answer.contains("a=ice-ufrag:restarted\r\n"), answer);
    assertTrue(browser.state().contains("\"signaling\":\"stable\""), browser.state());
  }

  private static void capture(String name, String sdp) throws IOException {
    String dir = System.getProperty("sdp.capture.dir");
    if (dir != null && !Files.exists(Path.of(dir, name))) {
      Files.writeString(Path.of(dir, name), sdp);
    }
  }
}

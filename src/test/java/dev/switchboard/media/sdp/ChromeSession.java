package dev.switchboard.media.sdp;

/**
 * Replays the session {@link ChromiumInteropTest} captured, from the node's side, with the browser's SDP from the
 * fixtures: Chromium offers camera and mic, the node answers; the node offers alice's mic and camera and bob's
 * camera (t1..t3), Chromium answers; alice's camera goes and carol's takes its section (t2), Chromium answers;
 * Chromium shares its screen with addTrack, which takes over t2's transceiver, and offers.
 */
final class ChromeSession {
  record Replay(MediaPlan plan, RemoteDescription screenOffer, MediaPlan.RemoteChange change) {
  }

  private ChromeSession() {
  }

  static RemoteDescription read(String fixture) throws SdpException {
    return OfferReader.read(Plans.fixture(fixture));
  }

  /** After Chromium's first answer: t1..t3 sendonly, alice's and bob's tracks. */
  static MediaPlan planWithThreeTracks() throws SdpException {
    MediaPlan plan = Plans.plan();
    RemoteDescription offer = read("chrome-session-offer.sdp");
    plan.applyRemoteOffer(offer);
    SessionBuilder.answer(plan, offer);
    plan.addSendTrack(MediaKind.AUDIO, "alice-mic", "alice", 1001, 0);
    plan.addSendTrack(MediaKind.VIDEO, "alice-cam", "alice", 2001, 2002);
    plan.addSendTrack(MediaKind.VIDEO, "bob-cam", "bob", 3001, 3002);
    SessionBuilder.offer(plan);
    plan.applyRemoteAnswer(read("chrome-answer-to-node-offer.sdp"));
    return plan;
  }

  /** After the screen-share offer was applied, before the node answers it. */
  static Replay screenShareOffered() throws SdpException {
    MediaPlan plan = planWithThreeTracks();
    plan.removeSendTrack("alice-cam");
    plan.addSendTrack(MediaKind.VIDEO, "carol-cam", "carol", 4001, 4002);
    SessionBuilder.offer(plan);
    plan.applyRemoteAnswer(read("chrome-answer-to-node-reoffer.sdp"));
    RemoteDescription screen = read("chrome-reoffer-screen-share.sdp");
    return new Replay(plan, screen, plan.applyRemoteOffer(screen));
  }
}

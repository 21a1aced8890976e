package dev.switchboard.media.sdp;

import dev.switchboard.media.sdp.MediaPlan.RemoteChange;
import dev.switchboard.media.sdp.MediaPlan.SignalingState;
import dev.switchboard.media.sdp.PlannedSection.Origin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class MediaPlanTest {
  private static final String CHROME_OFFER = Plans.fixture("chrome-offer-audio-video.sdp");
  private static final String AUDIO_ONLY = CHROME_OFFER.substring(0, CHROME_OFFER.indexOf("m=video"))
      .replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0");

  /** A plan that has answered {@code offerText}. */
  private static MediaPlan answered(String offerText) throws SdpException {
    MediaPlan plan = Plans.plan();
    RemoteDescription offer = OfferReader.read(offerText);
    plan.applyRemoteOffer(offer);
    SessionBuilder.answer(plan, offer);
    return plan;
  }

  private static List<String> mids(MediaPlan plan) {
    return plan.sections().stream().map(PlannedSection::mid).toList();
  }

  @Test
  void the_clients_offer_gives_client_sections_the_node_receives_on() throws SdpException {
    MediaPlan plan = Plans.plan();
    RemoteChange change = plan.applyRemoteOffer(OfferReader.read(CHROME_OFFER));
    assertEquals(new RemoteChange(List.of("0", "1"), List.of(), List.of(), false), change);
    assertEquals(SignalingState.HAVE_REMOTE_OFFER, plan.signalingState());
    PlannedSection video = plan.section("1").orElseThrow();
    assertEquals(Origin.CLIENT, video.origin());
    assertEquals(Direction.RECVONLY, video.direction());
    assertEquals(List.of(96, 108), video.primaryCodecs().stream().map(Codec::pt).toList());
    assertEquals(3623477890L, video.remote().primarySsrcs().get(0));
    assertEquals(4, video.extmapId(Extmap.MID));
  }

  @Test
  void node_mids_never_clash_with_the_clients() throws SdpException {
    String tMids = CHROME_OFFER.replace("a=mid:0", "a=mid:t1").replace("a=mid:1", "a=mid:t3")
        .replace("a=group:BUNDLE 0 1", "a=group:BUNDLE t1 t3");
    MediaPlan plan = answered(tMids);
    assertEquals("t2", plan.addSendTrack(MediaKind.AUDIO, "a", "alice", 1, 0).mid());
    assertEquals("t4", plan.addSendTrack(MediaKind.VIDEO, "v", "alice", 2, 3).mid());
    assertEquals(List.of("t1", "t3", "t2", "t4"), mids(plan));
  }

  @Test
  void a_client_offer_may_not_take_a_mid_the_node_has_given_out() throws SdpException {
    MediaPlan plan = answered(AUDIO_ONLY);
    plan.addSendTrack(MediaKind.VIDEO, "v", "alice", 2, 3);
    String clash = CHROME_OFFER.replace("a=mid:1", "a=mid:t1").replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 t1");
    assertEquals("mid t1 is the node's",
        assertThrows(SdpException.class, () -> plan.applyRemoteOffer(OfferReader.read(clash))).reason());
  }

  @Test
  void an_inactive_section_is_reused_by_the_next_track_of_its_kind_and_its_mid_stays() throws SdpException {
    MediaPlan plan = answered(CHROME_OFFER);
    plan.addSendTrack(MediaKind.AUDIO, "alice-mic", "alice", 1001, 0);
    plan.addSendTrack(MediaKind.VIDEO, "alice-cam", "alice", 2001, 2002);
    plan.applyRemoteAnswer(OfferReader.read(FakeClient.answer(SessionBuilder.offer(plan))));
    plan.removeSendTrack("alice-mic");
    plan.removeSendTrack("alice-cam");
    assertTrue(plan.needsNegotiation());

    PlannedSection bobCam = plan.addSendTrack(MediaKind.VIDEO, "bob-cam", "bob", 3001, 3002);

    assertEquals("t2", bobCam.mid());
    assertEquals(new PlannedSection.SendTrack("bob-cam", "bob", 3001, 3002, "bob"), bobCam.send());
    assertEquals(List.of("0", "1", "t1", "t2"), mids(plan));
    Sdp offer = Sdp.parse(SessionBuilder.offer(plan));
    assertEquals("bob bob-cam", offer.media().get(3).attribute("msid").orElseThrow());
    assertTrue(offer.media().get(2).hasAttribute("inactive"));
    assertEquals("t3", plan.addSendTrack(MediaKind.VIDEO, "carol-cam", "carol", 4001, 4002).mid(),
        "the inactive audio section t1 is no place for video: a new section");
  }

  @Test
  void a_kind_the_client_never_offered_gets_the_nodes_numbers_where_they_are_free() throws SdpException {
    // the client calls its telephone-event 96: VP8 cannot be 96 in the same BUNDLE group
    String audio96 = AUDIO_ONLY.replace(" 110 126", " 96 126").replace("a=rtpmap:110 ", "a=rtpmap:96 ");
    MediaPlan plan = answered(audio96);
    PlannedSection video = plan.addSendTrack(MediaKind.VIDEO, "v", "alice", 2, 3);
    List<Integer> pts = video.codecs().stream().map(Codec::pt).toList();
    assertNotEquals(96, pts.get(0));
    assertEquals(4, new HashSet<>(pts).size());
    assertEquals(102, pts.get(2), "H.264's default, free");
    assertEquals(103, pts.get(3));
    assertEquals(List.of(2, 3, 4), video.extmaps().stream().map(Extmap::id).toList(),
        "the ids the client gave these extensions on its audio");
    Set<Integer> clientPts = Set.of(111, 63, 9, 0, 8, 13, 96, 126);
    assertTrue(pts.stream().noneMatch(clientPts::contains), pts.toString());
  }

  @Test
  void a_client_offer_crossing_the_nodes_is_refused_the_node_being_impolite() throws SdpException {
    MediaPlan plan = answered(CHROME_OFFER);
    plan.addSendTrack(MediaKind.AUDIO, "a", "alice", 1, 0);
    SessionBuilder.offer(plan);
    assertEquals(SignalingState.HAVE_LOCAL_OFFER, plan.signalingState());
    SdpException e = assertThrows(SdpException.class, () -> plan.applyRemoteOffer(OfferReader.read(CHROME_OFFER)));
    assertTrue(e.reason().startsWith("offer collision"), e.reason());
    assertEquals(SignalingState.HAVE_LOCAL_OFFER, plan.signalingState());
  }

  @Test
  void an_answer_that_does_not_match_the_offer_is_refused() throws SdpException {
    MediaPlan plan = answered(CHROME_OFFER);
    plan.addSendTrack(MediaKind.VIDEO, "v", "alice", 2, 3);
    String good = FakeClient.answer(SessionBuilder.offer(plan));
    List<String> bad = List.of(good.replace("a=mid:t1", "a=mid:x1"),
        good.replace("a=setup:active", "a=setup:passive"),
        good.replace("m=video 9 UDP/TLS/RTP/SAVPF 96 97 108 109\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:cli1\r\n"
            + "a=ice-pwd:clientPasswordOf24Chars+\r\na=fingerprint:sha-256 01:23:45:67:89:AB:CD:EF\r\n"
            + "a=setup:active\r\na=mid:t1", "m=video 9 UDP/TLS/RTP/SAVPF 96 97 108 109 120\r\nc=IN IP4 0.0.0.0\r\n"
            + "a=ice-ufrag:cli1\r\na=ice-pwd:clientPasswordOf24Chars+\r\n"
            + "a=fingerprint:sha-256 01:23:45:67:89:AB:CD:EF\r\na=setup:active\r\na=mid:t1\r\n"
            + "a=rtpmap:120 ulpfec/90000"),
        good.replace("a=extmap:3 http://www.ietf.org", "a=extmap:9 http://www.ietf.org"));
    for (String answer : bad) {
      assertNotEquals(good, answer);
      assertThrows(SdpException.class, () -> plan.applyRemoteAnswer(OfferReader.read(answer)), answer);
      assertEquals(SignalingState.HAVE_LOCAL_OFFER, plan.signalingState());
    }
    plan.applyRemoteAnswer(OfferReader.read(good));
    assertEquals(SignalingState.STABLE, plan.signalingState());
    assertThrows(SdpException.class, () -> plan.applyRemoteAnswer(OfferReader.read(good)), "answered already");
  }

  @Test
  void the_clients_answer_narrows_a_node_section_to_the_codecs_it_accepted() throws SdpException {
    MediaPlan plan = answered(CHROME_OFFER);
    plan.addSendTrack(MediaKind.VIDEO, "v", "alice", 2, 3);
    String answer = FakeClient.answer(SessionBuilder.offer(plan));
    int t1 = answer.indexOf("a=mid:t1");
    String vp8Only = answer.substring(0, t1).replace("UDP/TLS/RTP/SAVPF 96 97 108 109\r\nc=IN IP4 0.0.0.0\r\n"
        + "a=ice-ufrag:cli1\r\na=ice-pwd:clientPasswordOf24Chars+\r\na=fingerprint:sha-256 01:23:45:67:89:AB:CD:EF\r\n"
        + "a=setup:active\r\n", "UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:cli1\r\n"
        + "a=ice-pwd:clientPasswordOf24Chars+\r\na=fingerprint:sha-256 01:23:45:67:89:AB:CD:EF\r\na=setup:active\r\n")
        + answer.substring(t1);
    vp8Only = vp8Only.substring(0, vp8Only.indexOf("a=mid:t1")) + vp8Only.substring(vp8Only.indexOf("a=mid:t1"))
        .replaceAll("a=(rtpmap|fmtp|rtcp-fb):10[89][^\r]*\r\n", "");
    plan.applyRemoteAnswer(OfferReader.read(vp8Only));
    PlannedSection t1Section = plan.section("t1").orElseThrow();
    assertEquals(List.of(96, 97), t1Section.codecs().stream().map(Codec::pt).toList());
    assertEquals(Direction.SENDONLY, t1Section.negotiated());
    assertFalse(plan.needsNegotiation());
  }

  @Test
  void new_client_ice_credentials_are_an_ice_restart_and_the_answer_carries_the_nodes_new_ones() throws SdpException {
    MediaPlan plan = answered(CHROME_OFFER);
    RemoteDescription restart = OfferReader.read(CHROME_OFFER.replace("a=ice-ufrag:1e4o", "a=ice-ufrag:9xyz")
        .replace("tutdyvnZFgO4VGF5spe26v73", "aaaaaaaaaaaaaaaaaaaaaaaa"));
    RemoteChange change = plan.applyRemoteOffer(restart);
    assertTrue(change.iceRestart());
    assertEquals(List.of(), change.receiving(), "nothing new is sent");
    plan.restartIce("newUfrag", "newPasswordOf24Chars+/x");
    Sdp answer = Sdp.parse(SessionBuilder.answer(plan, restart));
    assertEquals("newUfrag", answer.media().get(0).attribute("ice-ufrag").orElseThrow());
    assertEquals("9xyz", plan.remote().orElseThrow().iceUfrag());
  }

  @Test
  void a_client_that_stops_sending_or_stops_a_transceiver_is_reported_and_its_section_rejected() throws SdpException {
    MediaPlan plan = answered(CHROME_OFFER);
    String reoffer = CHROME_OFFER.replaceFirst("a=sendrecv", "a=recvonly").replace("m=video 9 ", "m=video 0 ")
        .replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0");
    RemoteDescription offer = OfferReader.read(reoffer);
    assertEquals(new RemoteChange(List.of(), List.of("0", "1"), List.of(), false), plan.applyRemoteOffer(offer));
    Sdp answer = Sdp.parse(SessionBuilder.answer(plan, offer));
    assertTrue(answer.media().get(0).hasAttribute("inactive"));
    assertEquals(0, answer.media().get(1).port());
    assertEquals("BUNDLE 0", answer.sessionAttribute("group").orElseThrow());
    assertTrue(plan.section("1").orElseThrow().rejected());
  }

  @Test
  void a_node_section_the_client_rejects_is_never_reused() throws SdpException {
    MediaPlan plan = answered(CHROME_OFFER);
    plan.addSendTrack(MediaKind.AUDIO, "a", "alice", 1, 0);
    String answer = FakeClient.answer(SessionBuilder.offer(plan));
    String rejected = answer.replace("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:cli1\r\n"
        + "a=ice-pwd:clientPasswordOf24Chars+\r\na=fingerprint:sha-256 01:23:45:67:89:AB:CD:EF\r\na=setup:active\r\n"
        + "a=mid:t1", "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:t1")
        .replace("BUNDLE 0 1 t1", "BUNDLE 0 1");
    assertEquals(List.of("a"), plan.applyRemoteAnswer(OfferReader.read(rejected)).droppedTracks());
    assertTrue(plan.section("t1").orElseThrow().rejected());
    assertTrue(plan.sectionOf("a").isEmpty());
    assertEquals("t2", plan.addSendTrack(MediaKind.AUDIO, "b", "bob", 5, 0).mid());
    Sdp offer = Sdp.parse(SessionBuilder.offer(plan));
    assertEquals("m=audio 0 UDP/TLS/RTP/SAVPF 111", offer.media().get(2).lines().get(0));
    assertEquals("BUNDLE 0 1 t2", offer.sessionAttribute("group").orElseThrow());
  }

  @Test
  void a_node_section_the_client_stops_in_its_offer_drops_the_track_sent_there() throws SdpException {
    ChromeSession.Replay replay = ChromeSession.screenShareOffered();
    MediaPlan plan = replay.plan();
    SessionBuilder.answer(plan, replay.screenOffer());
    String stopT3 = Plans.fixture("chrome-reoffer-screen-share.sdp")
        .replaceFirst("m=video 9 (UDP/TLS/RTP/SAVPF 96 97 108 109 98 99 100 101 35)", "m=video 0 $1")
        .replace("BUNDLE 0 1 t1 t2 t3", "BUNDLE 0 1 t1 t2");
    RemoteChange change = plan.applyRemoteOffer(OfferReader.read(stopT3));
    assertEquals(List.of("bob-cam"), change.droppedTracks());
    assertTrue(plan.section("t3").orElseThrow().rejected());
    assertEquals(List.of(), change.receiving());
  }

  @Test
  void sections_the_node_has_not_offered_yet_stay_behind_the_clients_new_ones() throws SdpException {
    MediaPlan plan = answered(AUDIO_ONLY);
    plan.addSendTrack(MediaKind.AUDIO, "a", "alice", 1, 0);
    RemoteDescription withCamera = OfferReader.read(CHROME_OFFER);
    RemoteChange change = plan.applyRemoteOffer(withCamera);
    assertEquals(List.of("1"), change.receiving());
    assertEquals(List.of("0", "1", "t1"), mids(plan));
    Sdp answer = Sdp.parse(SessionBuilder.answer(plan, withCamera));
    assertEquals(2, answer.media().size(), "an answer has the offer's sections only");
    assertTrue(plan.needsNegotiation(), "t1 still to offer");
    assertEquals(List.of("0", "1", "t1"), Sdp.parse(SessionBuilder.offer(plan)).media().stream()
        .map(m -> m.attribute("mid").orElseThrow()).toList());
  }

  @Test
  void an_offer_that_drops_or_renames_known_m_lines_is_refused() throws SdpException {
    MediaPlan plan = answered(CHROME_OFFER);
    assertThrows(SdpException.class, () -> plan.applyRemoteOffer(OfferReader.read(AUDIO_ONLY)));
    String renamed = CHROME_OFFER.replace("a=mid:1", "a=mid:v").replace("BUNDLE 0 1", "BUNDLE 0 v");
    assertEquals("m-line 1 changed its mid",
        assertThrows(SdpException.class, () -> plan.applyRemoteOffer(OfferReader.read(renamed))).reason());
    String passive = CHROME_OFFER.replace("a=setup:actpass", "a=setup:passive");
    assertThrows(SdpException.class, () -> plan.applyRemoteOffer(OfferReader.read(passive)));
  }

  @Test
  void a_send_track_needs_msid_tokens_and_audio_or_video() {
    MediaPlan plan = Plans.plan();
    assertThrows(IllegalArgumentException.class, () -> plan.addSendTrack(MediaKind.AUDIO, "has space", "p", 1, 0));
    assertThrows(IllegalArgumentException.class, () -> plan.addSendTrack(MediaKind.APPLICATION, "t", "p", 1, 0));
    plan.addSendTrack(MediaKind.AUDIO, "t", "p", 1, 0);
    assertThrows(IllegalArgumentException.class, () -> plan.addSendTrack(MediaKind.AUDIO, "t", "p", 2, 0));
    assertTrue(plan.removeSendTrack("unknown").isEmpty());
  }
}

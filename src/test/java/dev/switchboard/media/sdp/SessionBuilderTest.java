package dev.switchboard.media.sdp;

import dev.switchboard.media.sdp.RemoteDescription.Section;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class SessionBuilderTest {
  private static final String CHROME_OFFER = Plans.fixture("chrome-offer-audio-video.sdp");

  private static Sdp answerTo(String offerText) throws SdpException {
    RemoteDescription offer = OfferReader.read(offerText);
    MediaPlan plan = Plans.plan();
    plan.applyRemoteOffer(offer);
    return Sdp.parse(SessionBuilder.answer(plan, offer));
  }

  @Test
  void the_answer_is_ice_lite_passive_and_bundles_the_accepted_mids() throws SdpException {
    Sdp answer = answerTo(CHROME_OFFER);
    assertTrue(answer.sessionAttribute("ice-lite").isPresent());
    assertEquals("BUNDLE 0 1", answer.sessionAttribute("group").orElseThrow());
    assertTrue(answer.write().endsWith("\r\n"));
    for (MediaSection section : answer.media()) {
      assertEquals("passive", section.attribute("setup").orElseThrow());
      assertEquals(Plans.UFRAG, section.attribute("ice-ufrag").orElseThrow());
      assertEquals(Plans.PWD, section.attribute("ice-pwd").orElseThrow());
      assertEquals(Plans.FINGERPRINT, section.attribute("fingerprint").orElseThrow());
      assertTrue(section.hasAttribute("rtcp-mux") && section.hasAttribute("rtcp-rsize"));
      assertEquals("recvonly", section.lines().stream().filter(l -> l.equals("a=recvonly")).findFirst()
          .orElseThrow().substring(2));
    }
    // the candidates, complete, once: under BUNDLE the first section's transport is the one
    assertEquals(List.of("1 1 udp 2130706431 127.0.0.1 40000 typ host"), answer.media().get(0).attributes("candidate"));
    assertTrue(answer.media().get(0).hasAttribute("end-of-candidates"));
    assertTrue(answer.media().get(1).attributes("candidate").isEmpty());
  }

  @Test
  void the_answer_keeps_the_offerers_payload_types_for_opus_vp8_and_h264_constrained_baseline() throws SdpException {
    Sdp answer = answerTo(CHROME_OFFER);
    assertEquals(List.of("111"), answer.media().get(0).formats());
    assertEquals(List.of("111 opus/48000/2"), answer.media().get(0).attributes("rtpmap"));
    assertEquals(List.of("111 minptime=10;useinbandfec=1"), answer.media().get(0).attributes("fmtp"));
    assertEquals(List.of("111 transport-cc"), answer.media().get(0).attributes("rtcp-fb"));
    MediaSection video = answer.media().get(1);
    // VP8 first (what Chrome will send), its RTX, then H.264 42e01f packetization-mode 1 (102 is 42001f: baseline)
    assertEquals(List.of("96", "97", "108", "109"), video.formats());
    assertEquals(List.of("97 apt=96", "108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
        "109 apt=108"), video.attributes("fmtp"));
    assertTrue(video.attributes("rtcp-fb").containsAll(List.of("96 nack", "96 nack pli", "96 ccm fir", "96 goog-remb",
        "96 transport-cc", "108 nack pli")));
    assertFalse(video.attributes("rtcp-fb").stream().anyMatch(fb -> fb.startsWith("97 ")));
  }

  @Test
  void the_answer_uses_the_offerers_extension_ids_for_the_extensions_the_node_uses() throws SdpException {
    Sdp answer = answerTo(CHROME_OFFER);
    assertEquals(List.of("1 " + Extmap.AUDIO_LEVEL, "2 " + Extmap.ABS_SEND_TIME, "3 " + Extmap.TRANSPORT_CC,
        "4 " + Extmap.MID), answer.media().get(0).attributes("extmap"));
    assertEquals(List.of("2 " + Extmap.ABS_SEND_TIME, "3 " + Extmap.TRANSPORT_CC, "4 " + Extmap.MID),
        answer.media().get(1).attributes("extmap"));
  }

  @Test
  void the_answer_rejects_a_data_channel_and_a_video_without_a_forwardable_codec() throws SdpException {
    String offer = CHROME_OFFER.replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2")
        + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\n"
        + "a=sctp-port:5000\r\n";
    // no VP8, no H.264 42e01f with packetization-mode 1: H.264 baseline or mode 0, VP9, AV1 only
    String noForwardable = offer.replace("m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104 107 108 109",
        "m=video 9 UDP/TLS/RTP/SAVPF 102 103 104 107");
    Sdp answer = answerTo(noForwardable);
    assertEquals("BUNDLE 0", answer.sessionAttribute("group").orElseThrow());
    // rejected: port 0, the offer's protocol and formats (RFC 3264 §6)
    String offeredVideo = Sdp.parse(noForwardable).media().get(1).lines().get(0);
    assertEquals(offeredVideo.replace("m=video 9 ", "m=video 0 "), answer.media().get(1).lines().get(0));
    assertEquals("m=application 0 UDP/DTLS/SCTP webrtc-datachannel", answer.media().get(2).lines().get(0));
    assertEquals("2", answer.media().get(2).attribute("mid").orElseThrow());
    assertFalse(answer.media().get(2).hasAttribute("ice-ufrag"));
  }

  @Test
  void the_answer_parses_as_a_description_of_its_own() throws SdpException {
    RemoteDescription offer = OfferReader.read(CHROME_OFFER);
    MediaPlan plan = Plans.plan();
    plan.applyRemoteOffer(offer);
    RemoteDescription answer = OfferReader.read(SessionBuilder.answer(plan, offer));
    assertEquals(RemoteDescription.Setup.PASSIVE, answer.setup());
    assertEquals(Plans.UFRAG, answer.iceUfrag());
    assertEquals(List.of(Direction.RECVONLY, Direction.RECVONLY),
        answer.sections().stream().map(Section::direction).toList());
  }

  @Test
  void the_nodes_offer_keeps_the_clients_sections_and_appends_one_sendonly_section_per_track() throws SdpException {
    RemoteDescription offer = OfferReader.read(CHROME_OFFER);
    MediaPlan plan = Plans.plan();
    plan.applyRemoteOffer(offer);
    SessionBuilder.answer(plan, offer);
    plan.addSendTrack(MediaKind.AUDIO, "alice-mic", "alice", 1001, 0);
    plan.addSendTrack(MediaKind.VIDEO, "alice-cam", "alice", 2001, 2002);

    Sdp nodeOffer = Sdp.parse(SessionBuilder.offer(plan));

    assertEquals("BUNDLE 0 1 t1 t2", nodeOffer.sessionAttribute("group").orElseThrow());
    assertEquals(List.of("0", "1", "t1", "t2"),
        nodeOffer.media().stream().map(m -> m.attribute("mid").orElseThrow()).toList());
    nodeOffer.media().forEach(m -> assertEquals("actpass", m.attribute("setup").orElseThrow()));
    nodeOffer.media().forEach(m -> assertEquals(Plans.UFRAG, m.attribute("ice-ufrag").orElseThrow()));
    MediaSection mic = nodeOffer.media().get(2);
    assertTrue(mic.hasAttribute("sendonly"));
    assertEquals(9, mic.port());
    assertEquals("alice alice-mic", mic.attribute("msid").orElseThrow());
    assertEquals(List.of("1001 cname:alice", "1001 msid:alice alice-mic"), mic.attributes("ssrc"));
    assertEquals(List.of("111"), mic.formats());
    MediaSection cam = nodeOffer.media().get(3);
    assertEquals(List.of("FID 2001 2002"), cam.attributes("ssrc-group"));
    assertEquals(List.of("2001 cname:alice", "2001 msid:alice alice-cam", "2002 cname:alice",
        "2002 msid:alice alice-cam"), cam.attributes("ssrc"));
    // the subscriber's own numbers, learned from its offer: VP8 96/97, H.264 108/109, its extension ids
    assertEquals(List.of("96", "97", "108", "109"), cam.formats());
    assertEquals(List.of("2 " + Extmap.ABS_SEND_TIME, "3 " + Extmap.TRANSPORT_CC, "4 " + Extmap.MID),
        cam.attributes("extmap"));
    assertTrue(nodeOffer.media().get(0).hasAttribute("recvonly"));
  }

  @Test
  void a_removed_track_leaves_its_section_inactive_on_port_9_without_msid_or_ssrcs() throws SdpException {
    MediaPlan plan = Plans.plan();
    plan.addSendTrack(MediaKind.VIDEO, "alice-cam", "alice", 2001, 2002);
    plan.applyRemoteAnswer(OfferReader.read(FakeClient.answer(SessionBuilder.offer(plan))));
    plan.removeSendTrack("alice-cam");

    MediaSection cam = Sdp.parse(SessionBuilder.offer(plan)).media().get(0);

    assertEquals(9, cam.port());
    assertEquals("t1", cam.attribute("mid").orElseThrow());
    assertTrue(cam.hasAttribute("inactive"));
    assertFalse(cam.hasAttribute("msid"));
    assertTrue(cam.attributes("ssrc").isEmpty() && cam.attributes("ssrc-group").isEmpty());
  }

  @Test
  void a_section_chromium_took_over_for_its_screen_is_answered_sendrecv() throws SdpException {
    ChromeSession.Replay replay = ChromeSession.screenShareOffered();
    assertEquals(List.of("t2"), replay.change().receiving());
    Sdp answer = Sdp.parse(SessionBuilder.answer(replay.plan(), replay.screenOffer()));
    MediaSection t2 = answer.media().get(3);
    assertEquals("t2", t2.attribute("mid").orElseThrow());
    assertTrue(t2.hasAttribute("sendrecv"), String.join("\n", t2.lines()));
    assertEquals("carol carol-cam", t2.attribute("msid").orElseThrow());
    assertTrue(answer.media().get(2).hasAttribute("sendonly"));
  }
}

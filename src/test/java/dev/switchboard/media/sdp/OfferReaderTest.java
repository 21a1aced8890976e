package dev.switchboard.media.sdp;

import dev.switchboard.media.sdp.RemoteDescription.Msid;
import dev.switchboard.media.sdp.RemoteDescription.Section;
import dev.switchboard.media.sdp.RemoteDescription.Setup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class OfferReaderTest {
  private static final String CHROME_OFFER = Plans.fixture("chrome-offer-audio-video.sdp");
  private static final String STREAM = "67e8ac24-cd04-4237-a8b3-66b860875fb5";

  @Test
  void the_transport_of_chromes_offer_is_read() throws SdpException {
    RemoteDescription offer = OfferReader.read(CHROME_OFFER);
    assertEquals("1e4o", offer.iceUfrag());
    assertEquals("tutdyvnZFgO4VGF5spe26v73", offer.icePwd());
    assertEquals(List.of("trickle"), offer.iceOptions());
    assertEquals("sha-256", offer.fingerprint().algorithm());
    assertEquals("A5:2D:70:BA:01:71:BB:26:DD:FF:C5:E2:4A:84:95:F0:E9:8F:DB:39:98:15:33:24:8A:F1:4E:4B:71:EA:67:7E",
        offer.fingerprint().value());
    assertEquals(Setup.ACTPASS, offer.setup());
    assertEquals(List.of("0", "1"), offer.bundle());
    assertTrue(offer.extmapAllowMixed());
    assertEquals(List.of("0", "1"), offer.mids());
  }

  @Test
  void chromes_audio_section_gives_its_codecs_extensions_ssrc_and_msid() throws SdpException {
    Section audio = OfferReader.read(CHROME_OFFER).section("0").orElseThrow();
    assertEquals(MediaKind.AUDIO, audio.kind());
    assertEquals(Direction.SENDRECV, audio.direction());
    assertFalse(audio.rejected());
    assertTrue(audio.rtcpMux() && audio.rtcpRsize());
    Codec opus = audio.codecs().get(0);
    assertEquals(new Codec(111, "opus", 48000, 2, "minptime=10;useinbandfec=1", List.of("transport-cc")), opus);
    assertEquals(Map.of("minptime", "10", "useinbandfec", "1"), opus.parameters());
    assertEquals(List.of(111, 63, 9, 0, 8, 13, 110, 126), audio.codecs().stream().map(Codec::pt).toList());
    assertEquals("G722", audio.codec(9).orElseThrow().name());
    assertEquals(1, audio.codec(0).orElseThrow().channels());
    assertEquals(List.of(new Extmap(1, Extmap.AUDIO_LEVEL, null), new Extmap(2, Extmap.ABS_SEND_TIME, null),
        new Extmap(3, Extmap.TRANSPORT_CC, null), new Extmap(4, Extmap.MID, null)), audio.extmaps());
    Msid msid = new Msid(STREAM, "99c9fae6-257c-4947-a320-dc1b3e13c8e0");
    assertEquals(msid, audio.msid());
    assertEquals(new RemoteDescription.Ssrc(4243303511L, "5TbNou/M+IeqQ4sc", msid), audio.ssrcs().get(4243303511L));
    assertEquals(List.of(4243303511L), audio.primarySsrcs());
    assertTrue(audio.rtxSsrcs().isEmpty());
    assertFalse(audio.simulcast());
  }

  @Test
  void chromes_video_section_gives_rtx_pairs_feedback_fmtp_and_its_fid_group() throws SdpException {
    Section video = OfferReader.read(CHROME_OFFER).section("1").orElseThrow();
    assertEquals(MediaKind.VIDEO, video.kind());
    assertEquals(23, video.codecs().size());
    Codec vp8 = video.codecs().get(0);
    assertEquals("VP8", vp8.name());
    assertEquals(List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"), vp8.feedback());
    assertEquals(96, video.rtxFor(96).orElseThrow().apt());
    assertEquals(97, video.rtxFor(96).orElseThrow().pt());
    assertEquals(96, video.rtxApt().get(97));
    assertEquals(108, video.rtxApt().get(109));
    assertEquals("level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
        video.codec(108).orElseThrow().fmtp());
    assertEquals(Map.of(3623477890L, 1490040483L), video.rtxSsrcs());
    assertEquals(List.of(3623477890L), video.primarySsrcs());
    assertEquals("5TbNou/M+IeqQ4sc", video.ssrcs().get(1490040483L).cname());
    assertEquals(14, video.extmap("urn:ietf:params:rtp-hdrext:toffset").orElseThrow().id());
    assertEquals(11, video.extmaps().size());
    assertEquals(new Msid(STREAM, "1aef1bc0-790d-448d-acd6-6bb0f156f88c"), video.msid());
  }

  @Test
  void chromes_answer_to_the_node_says_setup_active_and_recvonly_for_the_nodes_sections() throws SdpException {
    RemoteDescription answer = OfferReader.read(Plans.fixture("chrome-answer-to-node-offer.sdp"));
    assertEquals(Setup.ACTIVE, answer.setup());
    assertEquals(List.of("0", "1", "t1", "t2", "t3"), answer.bundle());
    assertEquals(Direction.SENDONLY, answer.section("0").orElseThrow().direction());
    assertEquals(Direction.RECVONLY, answer.section("t3").orElseThrow().direction());
    assertNull(answer.section("t3").orElseThrow().msid());
  }

  @Test
  void session_level_ice_and_fingerprint_as_firefox_writes_them_are_read() throws SdpException {
    String firefoxStyle = "v=0\r\no=mozilla...THIS_IS_SDPARTA-99.0 1 0 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
        + "a=fingerprint:sha-256 AA:BB:CC\r\na=group:BUNDLE 0\r\na=ice-options:trickle\r\n"
        + "a=ice-pwd:0123456789abcdef0123456789abcdef\r\na=ice-ufrag:abcd1234\r\n"
        + "m=audio 9 UDP/TLS/RTP/SAVPF 109\r\nc=IN IP4 0.0.0.0\r\na=sendonly\r\na=mid:0\r\na=rtcp-mux\r\n"
        + "a=rtpmap:109 opus/48000/2\r\na=rid:h send\r\na=setup:actpass\r\n";
    RemoteDescription offer = OfferReader.read(firefoxStyle);
    assertEquals("abcd1234", offer.iceUfrag());
    assertEquals("AA:BB:CC", offer.fingerprint().value());
    assertEquals(Direction.SENDONLY, offer.sections().get(0).direction());
    assertTrue(offer.sections().get(0).simulcast());
  }

  @Test
  void an_offer_without_a_fingerprint_is_refused() {
    String noFingerprint = CHROME_OFFER.replaceAll("a=fingerprint:[^\r]*\r\n", "");
    assertEquals("no a=fingerprint", assertThrows(SdpException.class, () -> OfferReader.read(noFingerprint)).reason());
  }

  @Test
  void ice_credentials_outside_rfc_8445_lengths_or_characters_are_refused() {
    for (String ufrag : new String[] {"abc", "ab-d", "x".repeat(257)}) {
      String bad = CHROME_OFFER.replace("a=ice-ufrag:1e4o", "a=ice-ufrag:" + ufrag);
      assertEquals("ice-ufrag must be 4..256 ice-chars",
          assertThrows(SdpException.class, () -> OfferReader.read(bad)).reason(), ufrag);
    }
    String shortPwd = CHROME_OFFER.replace("tutdyvnZFgO4VGF5spe26v73", "tutdyvnZFgO4VGF5spe2");
    assertEquals("ice-pwd must be 22..256 ice-chars",
        assertThrows(SdpException.class, () -> OfferReader.read(shortPwd)).reason());
    String noUfrag = CHROME_OFFER.replace("a=ice-ufrag:1e4o\r\n", "");
    assertEquals("no a=ice-ufrag", assertThrows(SdpException.class, () -> OfferReader.read(noUfrag)).reason());
  }

  @Test
  void sections_that_disagree_on_the_one_transport_are_refused() {
    String twoUfrags = CHROME_OFFER.replaceFirst("a=ice-ufrag:1e4o", "a=ice-ufrag:zzzz");
    assertThrows(SdpException.class, () -> OfferReader.read(twoUfrags));
    String twoSetups = CHROME_OFFER.replaceFirst("a=setup:actpass", "a=setup:active");
    assertThrows(SdpException.class, () -> OfferReader.read(twoSetups));
  }

  @Test
  void a_hundred_and_twenty_nine_sections_are_refused() {
    String section = CHROME_OFFER.substring(CHROME_OFFER.indexOf("m=audio"), CHROME_OFFER.indexOf("m=video"));
    String many = CHROME_OFFER.substring(0, CHROME_OFFER.indexOf("m=audio")) + section.repeat(129);
    assertEquals("more than 128 m-sections", assertThrows(SdpException.class, () -> OfferReader.read(many)).reason());
  }

  @Test
  void malformed_attributes_are_refused_with_a_short_reason() {
    List<List<String>> edits = List.of(
        List.of("a=mid:1\r\n", "a=mid:two words\r\n"),
        List.of("a=mid:0\r\n", "a=mid:1\r\n"),
        List.of("a=mid:1\r\n", ""),
        List.of("a=rtpmap:111 opus/48000/2", "a=rtpmap:111 opus/fast/2"),
        List.of("a=rtpmap:96 VP8/90000", "a=rtpmap:300 VP8/90000"),
        List.of("a=fmtp:97 apt=96", "a=fmtp:x apt=96"),
        List.of("a=rtcp-fb:96 nack pli", "a=rtcp-fb:96"),
        List.of("a=extmap:14 urn", "a=extmap:0 urn"),
        List.of("a=extmap:13 urn", "a=extmap:2 urn"),
        List.of("a=extmap:5 http", "a=extmap:5/sideways http"),
        List.of("a=ssrc:4243303511 cname", "a=ssrc:4294967296 cname"),
        List.of("a=ssrc-group:FID 3623477890", "a=ssrc-group:FID -1"),
        List.of("a=fingerprint:sha-256 A5:", "a=fingerprint:sha-256 ZZ:"),
        List.of("a=setup:actpass", "a=setup:sometimes"),
        List.of("m=video 9 UDP/TLS/RTP/SAVPF 96", "m=video 9 UDP/TLS/RTP/SAVPF x96"),
        List.of("m=video 9 UDP/TLS/RTP/SAVPF 96", "m=video 9 UDP/TLS/RTP/SAVPF 96 96"));
    edits.forEach(edit -> {
      String to = edit.get(1);
      String bad = CHROME_OFFER.replace(edit.get(0), to);
      SdpException e = assertThrows(SdpException.class, () -> OfferReader.read(bad), to);
      assertTrue(e.reason().length() < 80, e.reason());
    });
    String noMux = CHROME_OFFER.replace("a=rtcp-mux\r\n", "");
    assertEquals("m-section 0: no a=rtcp-mux", assertThrows(SdpException.class, () -> OfferReader.read(noMux)).reason());
  }

  @Test
  void work_per_section_is_bounded_whatever_the_line_count() {
    StringBuilder ssrcs = new StringBuilder();
    for (int ssrc = 1; ssrc <= 33; ssrc++) {
      ssrcs.append("a=ssrc:").append(ssrc).append(" cname:x\r\n");
    }
    String manySsrcs = CHROME_OFFER + ssrcs;
    assertEquals("m-section 1: more than 32 SSRCs",
        assertThrows(SdpException.class, () -> OfferReader.read(manySsrcs)).reason());
    StringBuilder feedback = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      feedback.append("a=rtcp-fb:* goog-x").append(i).append("\r\n");
    }
    assertEquals("m-section 1: more than 32 rtcp-fb for payload type 96",
        assertThrows(SdpException.class, () -> OfferReader.read(CHROME_OFFER + feedback)).reason());
  }

  @Test
  void a_rejected_section_needs_no_mid_and_its_stale_ice_credentials_are_ignored() throws SdpException {
    String stopped = CHROME_OFFER.replace("m=video 9 ", "m=video 0 ").replaceFirst("a=mid:1\r\n", "")
        .replaceFirst("(m=video[^$]*)a=ice-ufrag:1e4o", "$1a=ice-ufrag:stale");
    Section video = OfferReader.read(stopped).sections().get(1);
    assertTrue(video.rejected());
    assertNull(video.mid());
  }
}

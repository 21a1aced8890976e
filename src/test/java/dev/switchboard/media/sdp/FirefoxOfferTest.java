package dev.switchboard.media.sdp;

import dev.switchboard.media.sdp.MediaPlan.RemoteChange;
import dev.switchboard.media.sdp.RemoteDescription.Section;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Firefox ESR 153's first offer with bundlePolicy max-bundle, as FirefoxSfuCallInNamespaceTest's client sends it:
 * its video section has port 0 and {@code a=bundle-only} (JSEP §5.2.1, RFC 8843 §6), which is not a rejection.
 * Chrome writes port 9 there instead. Firefox's payload types (opus 109, VP8 120 with RTX 124) and extension ids
 * (mid 3, transport-cc 7) are not Chrome's either.
 */
@Timeout(10)
class FirefoxOfferTest {
  private static final String FIREFOX_OFFER = Plans.fixture("firefox-offer-max-bundle.sdp");

  @Test
  void a_bundle_only_section_with_port_zero_is_live_not_rejected() throws SdpException {
    RemoteDescription offer = OfferReader.read(FIREFOX_OFFER);
    Section video = offer.section("1").orElseThrow();
    assertFalse(video.rejected());
    assertTrue(video.bundledIn(offer.bundle()));
    assertEquals(Direction.SENDONLY, video.direction());
    assertEquals(List.of(120, 124), NodeCodecs.accept(MediaKind.VIDEO, video.codecs()).stream().map(Codec::pt).toList());
  }

  @Test
  void the_node_receives_firefoxs_audio_and_video_and_answers_both_in_its_bundle() throws SdpException {
    MediaPlan plan = Plans.plan();
    RemoteDescription offer = OfferReader.read(FIREFOX_OFFER);
    RemoteChange change = plan.applyRemoteOffer(offer);
    assertEquals(List.of("0", "1"), change.receiving());
    String answer = SessionBuilder.answer(plan, offer);
    assertTrue(answer.contains("a=group:BUNDLE 0 1\r\n"), answer);
    assertTrue(answer.contains("m=video 9 UDP/TLS/RTP/SAVPF 120 124\r\n"), answer);
    assertTrue(answer.contains("a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"), answer);
    assertFalse(answer.contains("a=bundle-only"), answer); // an offerer's attribute (RFC 8843 §6)
  }

  @Test
  void a_section_with_port_zero_and_no_bundle_only_stays_rejected() throws SdpException {
    String stopped = FIREFOX_OFFER.replace("a=bundle-only\r\n", "");
    assertTrue(OfferReader.read(stopped).section("1").orElseThrow().rejected());
  }
}

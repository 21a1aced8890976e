package dev.switchboard.media.sdp;

import dev.switchboard.media.sdp.MediaPlan.RemoteChange;
import dev.switchboard.media.sdp.RemoteDescription.Section;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

  /**
   * A newcomer to a room with publishers: the node plans their tracks when it admits the newcomer, before its first
   * offer. Firefox refuses a description that gives one of its extension ids another meaning ("attempted to remap
   * RTP extension id 3"), so those sections, not offered yet, must be offered in the ids Firefox's offer named.
   */
  @Test
  void tracks_planned_before_firefoxs_first_offer_are_offered_in_firefoxs_own_numbers() throws SdpException {
    MediaPlan plan = Plans.plan();
    plan.addSendTrack(MediaKind.AUDIO, "a1", "alice", 11, 0);
    plan.addSendTrack(MediaKind.VIDEO, "v1", "alice", 12, 13);
    RemoteDescription offer = OfferReader.read(FIREFOX_OFFER);
    plan.applyRemoteOffer(offer);
    SessionBuilder.answer(plan, offer);
    String nodeOffer = SessionBuilder.offer(plan);

    Map<Integer, Set<String>> urisById = new TreeMap<>();
    Matcher extmap = Pattern.compile("a=extmap:(\\d+)(?:/\\w+)? (\\S+)").matcher(nodeOffer);
    while (extmap.find()) {
      urisById.computeIfAbsent(Integer.parseInt(extmap.group(1)), id -> new TreeSet<>()).add(extmap.group(2));
    }
    urisById.forEach((id, uris) -> assertEquals(1, uris.size(), "extension id " + id + " means " + uris + " in "
        + nodeOffer));
    assertEquals(Set.of(Extmap.MID), urisById.get(3), nodeOffer);
    assertEquals(Set.of(Extmap.TRANSPORT_CC), urisById.get(7), nodeOffer);
    // payload types too: one codec per number in the BUNDLE group, Firefox's VP8 and opus numbers for the node's
    Map<Integer, Set<String>> codecsByPt = new TreeMap<>();
    Matcher rtpmap = Pattern.compile("a=rtpmap:(\\d+) (\\S+)").matcher(nodeOffer);
    while (rtpmap.find()) {
      codecsByPt.computeIfAbsent(Integer.parseInt(rtpmap.group(1)), pt -> new TreeSet<>()).add(rtpmap.group(2));
    }
    codecsByPt.forEach((pt, codecs) -> assertEquals(1, codecs.size(), "payload type " + pt + " means " + codecs));
    assertTrue(nodeOffer.contains("m=video 9 UDP/TLS/RTP/SAVPF 120 124"), nodeOffer);
  }

  @Test
  void a_section_with_port_zero_and_no_bundle_only_stays_rejected() throws SdpException {
    String stopped = FIREFOX_OFFER.replace("a=bundle-only\r\n", "");
    assertTrue(OfferReader.read(stopped).section("1").orElseThrow().rejected());
  }
}

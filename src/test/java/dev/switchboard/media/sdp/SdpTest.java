package dev.switchboard.media.sdp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(10)
class SdpTest {
  private static final String MINIMAL = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";

  @Test
  void captured_chrome_sdp_is_written_back_byte_for_byte() throws SdpException {
    for (String name : new String[] {"chrome-offer-audio-video.sdp", "chrome-answer-to-node-offer.sdp",
        "chrome-reoffer-screen-share.sdp"}) {
      String text = Plans.fixture(name);
      assertTrue(text.contains("\r\n"), name + " is CRLF as captured");
      assertEquals(text, Sdp.parse(text).write(), name);
    }
  }

  @Test
  void session_lines_and_sections_keep_their_order_and_unknown_lines() throws SdpException {
    Sdp sdp = Sdp.parse(MINIMAL + "a=x-unknown:1 2\r\nb=AS:30\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=x-custom\r\n"
        + "a=mid:a\r\nm=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:d\r\n");
    assertEquals(6, sdp.sessionLines().size());
    assertEquals("b=AS:30", sdp.sessionLines().get(5));
    assertEquals("1 2", sdp.sessionAttribute("x-unknown").orElseThrow());
    assertEquals(2, sdp.media().size());
    MediaSection audio = sdp.media().get(0);
    assertEquals(MediaKind.AUDIO, audio.kind());
    assertEquals(9, audio.port());
    assertEquals("UDP/TLS/RTP/SAVPF", audio.proto());
    assertEquals(java.util.List.of("111"), audio.formats());
    assertEquals("", audio.attribute("x-custom").orElseThrow());
    assertEquals("a", audio.attribute("mid").orElseThrow());
    assertTrue(sdp.media().get(1).rejected());
    assertEquals(MediaKind.APPLICATION, sdp.media().get(1).kind());
  }

  @Test
  void lf_only_sdp_is_read_alike_and_written_with_crlf() throws SdpException {
    String lf = Plans.fixture("chrome-offer-audio-video.sdp").replace("\r\n", "\n");
    assertEquals(Plans.fixture("chrome-offer-audio-video.sdp"), Sdp.parse(lf).write());
  }

  @Test
  void an_attribute_name_is_matched_whole() throws SdpException {
    MediaSection section = Sdp.parse(MINIMAL + "m=video 9 RTP/AVP 96\r\na=ssrc-group:FID 1 2\r\na=ssrc:1 cname:x\r\n")
        .media().get(0);
    assertEquals(java.util.List.of("1 cname:x"), section.attributes("ssrc"));
  }

  @Test
  void sdp_longer_than_the_limit_is_refused_before_it_is_read() {
    String huge = MINIMAL + "a=x:" + "y".repeat(300 * 1024) + "\r\n";
    assertEquals("SDP longer than 262144 chars", assertThrows(SdpException.class, () -> Sdp.parse(huge)).reason());
  }

  @Test
  void too_many_lines_or_sections_are_refused() {
    String lines = MINIMAL + "a=x\r\n".repeat(9000);
    assertThrows(SdpException.class, () -> Sdp.parse(lines));
    String sections = MINIMAL + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n".repeat(129);
    assertEquals("more than 128 m-sections", assertThrows(SdpException.class, () -> Sdp.parse(sections)).reason());
  }

  @Test
  void a_full_room_of_twenty_five_each_publishing_four_tracks_fits_one_description() throws SdpException {
    String full = MINIMAL + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n".repeat(25 * 4 + 4);
    assertEquals(104, Sdp.parse(full).media().size());
  }

  @Test
  void malformed_lines_are_refused_with_a_reason() {
    String[] bad = {"", "\r\n", "o=- 1 1 IN IP4 0.0.0.0\r\n", "v=1\r\n", MINIMAL + "garbage\r\n",
        MINIMAL + "A=b\r\n", MINIMAL + "a=nul\u0000\r\n", MINIMAL + "a=x\rb\r\n", MINIMAL + "\r\na=after-empty\r\n",
        MINIMAL + "m=audio\r\n", MINIMAL + "m=audio 99999 RTP/AVP 0\r\n", MINIMAL + "m=audio x RTP/AVP 0\r\n",
        MINIMAL + "m=audio 9  RTP/AVP 0\r\n", MINIMAL + "m=audio 9/x RTP/AVP 0\r\n"};
    for (String text : bad) {
      SdpException e = assertThrows(SdpException.class, () -> Sdp.parse(text), text);
      assertTrue(e.reason().length() < 80, e.reason());
    }
  }

  @Test
  void trailing_empty_lines_are_tolerated() throws SdpException {
    assertEquals(MINIMAL, Sdp.parse(MINIMAL + "\r\n\r\n").write());
    assertEquals(MINIMAL, Sdp.parse(MINIMAL.trim()).write());
  }

  @Test
  void mangled_chrome_sdp_gives_an_sdp_exception_or_a_description_never_another_exception() {
    String original = Plans.fixture("chrome-offer-audio-video.sdp");
    Random random = new Random(12);
    String alphabet = " :/=\r\n-0123456789aAmz*;\u0000\u00e9";
    for (int round = 0; round < 3000; round++) {
      StringBuilder text = new StringBuilder(original);
      for (int edits = 1 + random.nextInt(8); edits > 0; edits--) {
        int at = random.nextInt(text.length());
        switch (random.nextInt(3)) {
          case 0 -> text.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
          case 1 -> text.deleteCharAt(at);
          default -> text.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      try {
        OfferReader.read(text.toString());
      } catch (SdpException expected) {
        // the outcome for most mangled offers
      } catch (RuntimeException e) {
        fail("round " + round + " threw " + e + " on:\n" + text, e);
      }
    }
  }
}

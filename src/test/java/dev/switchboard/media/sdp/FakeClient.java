package dev.switchboard.media.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * A browser's answer to a node offer, written the way Chromium writes one (same m-lines, payload types and
 * extension ids, setup:active, the direction turned round, no msid or SSRCs of its own), for specs that need
 * answers Chromium was not asked for.
 */
final class FakeClient {
  static final String UFRAG = "cli1";
  static final String PWD = "clientPasswordOf24Chars+";

  private FakeClient() {
  }

  static String answer(String nodeOffer) throws SdpException {
    Sdp offer = Sdp.parse(nodeOffer);
    List<String> out = new ArrayList<>(List.of("v=0", "o=- 42 2 IN IP4 127.0.0.1", "s=-", "t=0 0"));
    offer.sessionAttribute("group").ifPresent(group -> out.add("a=group:" + group));
    for (MediaSection section : offer.media()) {
      out.add(section.lines().get(0));
      out.add("c=IN IP4 0.0.0.0");
      if (!section.rejected()) {
        out.add("a=ice-ufrag:" + UFRAG);
        out.add("a=ice-pwd:" + PWD);
        out.add("a=fingerprint:sha-256 01:23:45:67:89:AB:CD:EF");
        out.add("a=setup:active");
      }
      for (String line : section.lines().subList(1, section.lines().size())) {
        Direction direction = line.startsWith("a=") ? Direction.ofAttribute(line.substring(2)) : null;
        if (direction != null) {
          out.add("a=" + (section.rejected() ? direction : direction.reversed()).attribute());
        } else if (line.startsWith("a=mid:") || line.startsWith("a=extmap:") || line.startsWith("a=rtpmap:")
            || line.startsWith("a=fmtp:") || line.startsWith("a=rtcp-fb:") || line.equals("a=rtcp-mux")
            || line.equals("a=rtcp-rsize")) {
          out.add(line);
        }
      }
    }
    return String.join("\r\n", out) + "\r\n";
  }
}

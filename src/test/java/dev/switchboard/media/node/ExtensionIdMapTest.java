package dev.switchboard.media.node;

import dev.switchboard.media.sdp.Direction;
import dev.switchboard.media.sdp.Extmap;
import dev.switchboard.media.sdp.MediaKind;
import dev.switchboard.media.sdp.PlannedSection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A publisher's header extensions reach each subscriber under the subscriber's own ids. Firefox numbers video
 * extensions mid 3, abs-send-time 4, transport-cc 7; Chromium abs-send-time 2, transport-cc 3, mid 4. Kept as they
 * were, Firefox's abs-send-time arrived at Chromium as a mid naming no section, and Chromium dropped nearly all of
 * Firefox's video (4 packets of 684 in FirefoxSfuCallInNamespaceTest).
 */
@Timeout(10)
class ExtensionIdMapTest {
  private static final List<Extmap> FIREFOX_VIDEO = List.of(new Extmap(3, Extmap.MID, null),
      new Extmap(4, Extmap.ABS_SEND_TIME, null), new Extmap(7, Extmap.TRANSPORT_CC, null));
  private static final List<Extmap> CHROMIUM_VIDEO = List.of(new Extmap(2, Extmap.ABS_SEND_TIME, null),
      new Extmap(3, Extmap.TRANSPORT_CC, null), new Extmap(4, Extmap.MID, null));

  private static PlannedSection subscriberSection(List<Extmap> extmaps) {
    return new PlannedSection("t1", MediaKind.VIDEO, PlannedSection.Origin.NODE, Direction.SENDONLY, null, false,
        false, List.of(), extmaps, null, null);
  }

  @Test
  void firefoxs_extensions_reach_a_chromium_subscriber_under_chromiums_ids_and_its_mid_not_at_all() {
    int[] map = Publications.extensionIdMap(FIREFOX_VIDEO, subscriberSection(CHROMIUM_VIDEO));
    assertEquals(2, map[4], "abs-send-time");
    assertEquals(3, map[7], "transport-cc");
    assertEquals(0, map[3], "the publisher's mid names the publisher's section");
  }

  @Test
  void chromiums_extensions_reach_a_firefox_subscriber_under_firefoxs_ids() {
    int[] map = Publications.extensionIdMap(CHROMIUM_VIDEO, subscriberSection(FIREFOX_VIDEO));
    assertEquals(4, map[2], "abs-send-time");
    assertEquals(7, map[3], "transport-cc, which Firefox would read as a mid");
    assertEquals(0, map[4], "mid");
  }

  @Test
  void an_extension_the_subscriber_did_not_negotiate_is_removed() {
    int[] map = Publications.extensionIdMap(List.of(new Extmap(1, Extmap.AUDIO_LEVEL, null)),
        subscriberSection(CHROMIUM_VIDEO));
    assertEquals(0, map[1]);
  }
}

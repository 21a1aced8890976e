package dev.switchboard.media.node;

import dev.switchboard.media.client.MediaClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whatever order participants offer, answer and publish in, every offer the node makes can be demultiplexed by a
 * browser under BUNDLE: no SSRC in two m-sections, and every section the node sends on names its SSRC.
 */
@Timeout(120)
class NodeOffersTest {
  private static void checkDemuxable(String who, String sdp) {
    String[] sections = sdp.split("\r\nm=");
    Map<String, Integer> ssrcSection = new HashMap<>();
    for (int i = 1; i < sections.length; i++) {
      String section = sections[i];
      boolean sends = section.contains("a=sendonly") || section.contains("a=sendrecv");
      boolean clientSection = !section.contains("a=mid:t");
      Matcher m = Pattern.compile("a=ssrc:(\\d+) cname").matcher(section);
      boolean any = false;
      while (m.find()) {
        any = true;
        Integer other = ssrcSection.put(m.group(1), i);
        if (other != null && other != i) {
          fail(who + ": SSRC " + m.group(1) + " in sections " + other + " and " + i + "\n" + sdp);
        }
      }
      if (sends && !clientSection && !any) {
        fail(who + ": node section " + i + " sends without an SSRC\n" + sdp);
      }
    }
  }

  @Test
  void every_node_offer_is_demultiplexable_whatever_the_order_of_offers_and_answers() throws Exception {
    for (int round = 0; round < 40; round++) {
      SplittableRandom random = new SplittableRandom(round);
      try (NodeUnderTest node = new NodeUnderTest()) {
        List<String> peers = List.of("p0", "p1", "p2");
        Map<String, MediaClient> clients = new HashMap<>();
        for (String p : peers) {
          clients.put(p, new MediaClient());
        }
        List<Runnable> steps = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
          String p = peers.get(i);
          long base = 1000L * (i + 1);
          steps.add(() -> {
            try {
              node.call(() -> node.node.offer("r", p, ClientSdp.offer(clients.get(p), base, base + 1, base + 2), true));
              node.call(() -> {
                node.node.answerSent(p);
                return null;
              });
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
        }
        // offers in a random order, the node's offers answered in between
        List<Runnable> order = new ArrayList<>(steps);
        for (int i = order.size() - 1; i > 0; i--) {
          java.util.Collections.swap(order, i, random.nextInt(i + 1));
        }
        for (Runnable step : order) {
          step.run();
          answerSome(node, clients, random);
        }
        for (int i = 0; i < 5; i++) {
          answerSome(node, clients, random);
        }
        for (MediaClient c : clients.values()) {
          c.close();
        }
      }
    }
  }

  private static void answerSome(NodeUnderTest node, Map<String, MediaClient> clients, SplittableRandom random)
      throws Exception {
    NodeUnderTest.Event event;
    while ((event = node.events.poll()) != null) {
      if (!event.name().equals("media:offer")) {
        continue;
      }
      String sdp = event.payload().getString("sdp");
      checkDemuxable(event.peerId(), sdp);
      String peer = event.peerId();
      String answer = ClientSdp.answer(sdp, clients.get(peer));
      node.call(() -> {
        node.node.answer("r", peer, answer);
        return null;
      });
    }
  }
}

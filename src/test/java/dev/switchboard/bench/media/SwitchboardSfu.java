package dev.switchboard.bench.media;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.switchboard.media.client.MediaClient;
import dev.switchboard.media.node.ClientSdp;

/**
 * Switchboard's media node in another process, reached through its signaling: each participant is one socket
 * on {@code room:<room>} and one media connection; the node offers a participant the others' tracks by itself
 * (answered as a browser would, {@link ClientSdp#answer}), so a publisher that also watches needs nothing more.
 */
final class SwitchboardSfu implements SfuUnderTest {
  private final int httpPort;
  private final String room;
  private final Map<Integer, MediaClient> publishers = new HashMap<>();
  private final List<AutoCloseable> open = new ArrayList<>();

  SwitchboardSfu(int httpPort, String room) {
    this.httpPort = httpPort;
    this.room = room;
  }

  @Override
  public MediaClient publish(int index, long ssrc, ReceiveTally tally) throws Exception {
    MediaClient client = new MediaClient().onMedia(tally::accept);
    open.add(client);
    connect(client, ClientSdp.offer(client, ssrc, ssrc + 1, ssrc + 2));
    publishers.put(index, client);
    return client;
  }

  @Override
  public void subscribe(int index, ReceiveTally tally) throws Exception {
    if (publishers.containsKey(index)) {
      return; // its one connection receives already: the node offered it the others' tracks
    }
    MediaClient client = new MediaClient().onMedia(tally::accept);
    open.add(client);
    connect(client, ClientSdp.receiveOnlyOffer(client));
  }

  private void connect(MediaClient client, String offer) throws Exception {
    SwitchboardSignaling signaling = new SwitchboardSignaling(httpPort, room);
    open.add(signaling);
    String answer = signaling.offer(offer, nodeOffer -> ClientSdp.answer(nodeOffer, client));
    client.connect(ClientSdp.candidate(answer), ClientSdp.ufrag(answer), ClientSdp.pwd(answer),
        ClientSdp.fingerprint(answer));
  }

  @Override
  public void close() {
    for (AutoCloseable c : open) {
      try {
        c.close();
      } catch (Exception e) {
        // the node goes away with the run
      }
    }
  }
}

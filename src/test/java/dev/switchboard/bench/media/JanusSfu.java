package dev.switchboard.bench.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.vertx.core.json.JsonObject;

import dev.switchboard.media.client.MediaClient;
import dev.switchboard.media.node.ClientSdp;

/**
 * Janus VideoRoom (Janus running ICE-lite, as Switchboard's node does) through its HTTP API: one room; a
 * publisher is a handle that joins as publisher and configures with our offer; a watcher is a handle that
 * joins as subscriber to every other feed (one PeerConnection, Janus's offer answered as a browser would) and
 * starts. Publishing and watching are two connections per participant, as in Janus's own clients.
 */
final class JanusSfu implements SfuUnderTest {
  private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(15);

  private final JanusClient janus;
  private final InetAddress local;
  private final long room;
  private final Map<Integer, Long> feeds = new TreeMap<>();
  private final List<MediaClient> clients = new ArrayList<>();

  JanusSfu(URI base, long room, int publishers, InetAddress local) throws IOException {
    this.local = local;
    this.janus = new JanusClient(base);
    this.room = room;
    long admin = janus.attach();
    janus.request(admin, JanusMessages.createRoom(room, Math.max(publishers, 1)));
  }

  @Override
  public MediaClient publish(int index, long ssrc, ReceiveTally tally) throws Exception {
    long handle = janus.attach();
    JsonObject joined = janus.send(handle, JanusMessages.joinAsPublisher(room, "p" + index), null, null, EVENT_TIMEOUT);
    long feed = JanusMessages.pluginData(joined).getLong("id");
    MediaClient client = new MediaClient(local).onMedia(tally::accept);
    clients.add(client);
    // Janus answers actpass with active, and the kit is a DTLS client only: the offer takes the client role itself.
    String offer = ClientSdp.offer(client, ssrc, ssrc + 1, ssrc + 2).replace("a=setup:actpass", "a=setup:active");
    JsonObject configured = janus.send(handle, JanusMessages.configure(), "offer", offer, EVENT_TIMEOUT);
    String answer = JanusMessages.sdp(configured);
    if (answer == null) {
      throw new IOException("Janus answered configure without SDP: " + configured.encode());
    }
    janus.trickleCompleted(handle);
    client.connect(ClientSdp.candidate(answer), ClientSdp.ufrag(answer), ClientSdp.pwd(answer),
        ClientSdp.fingerprint(answer));
    feeds.put(index, feed);
    return client;
  }

  @Override
  public void subscribe(int index, ReceiveTally tally) throws Exception {
    List<Long> others = feeds.entrySet().stream().filter(e -> e.getKey() != index).map(Map.Entry::getValue).toList();
    long handle = janus.attach();
    JsonObject attached = janus.send(handle, JanusMessages.joinAsSubscriber(room, others), null, null, EVENT_TIMEOUT);
    String offer = JanusMessages.sdp(attached);
    if (offer == null) {
      throw new IOException("Janus offered no SDP to subscriber " + index + ": " + attached.encode());
    }
    MediaClient client = new MediaClient(local).onMedia(tally::accept);
    clients.add(client);
    janus.send(handle, JanusMessages.start(), "answer", ClientSdp.answer(offer, client), EVENT_TIMEOUT);
    janus.trickleCompleted(handle);
    client.connect(ClientSdp.candidate(offer), ClientSdp.ufrag(offer), ClientSdp.pwd(offer),
        ClientSdp.fingerprint(offer));
  }

  @Override
  public void close() {
    clients.forEach(MediaClient::close);
    janus.close();
  }
}

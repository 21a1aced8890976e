package dev.switchboard.media.node;

import dev.switchboard.media.forward.Downstream;
import dev.switchboard.media.forward.MediaRefusal;
import dev.switchboard.media.forward.Router;
import dev.switchboard.media.forward.Track;
import dev.switchboard.media.sdp.Codec;
import dev.switchboard.media.sdp.Extmap;
import dev.switchboard.media.sdp.MediaKind;
import dev.switchboard.media.sdp.PlannedSection;
import dev.switchboard.media.sdp.RemoteDescription;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Tracks coming and going: a client section that starts sending becomes a track with a server-assigned id, every
 * other participant of the room subscribes to it (a section in its plan, its payload types, a keyframe request),
 * and the room hears {@code track:published}; the reverse when it stops or its owner leaves.
 */
final class Publications {
  private static final Logger LOG = Logger.getLogger(Publications.class.getName());
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Router router;
  private final Map<String, Participant> participants;
  private final MediaEvents events;
  private final LongSupplier nanos;
  /** Told after a track comes or goes (the metrics' gauges). */
  private final Runnable changed;
  /** Track id → the codecs of its publisher's section (its payload types), to map each subscriber's onto. */
  private final Map<String, List<Codec>> codecsOfTrack = new HashMap<>();
  /** The publisher's header extensions of each track, with the publisher's ids. */
  private final Map<String, List<Extmap>> extmapsOfTrack = new HashMap<>();

  Publications(Router router, Map<String, Participant> participants, MediaEvents events, LongSupplier nanos,
      Runnable changed) {
    this.changed = changed;
    this.router = router;
    this.participants = participants;
    this.events = events;
    this.nanos = nanos;
  }

  void publish(Participant publisher, String mid) {
    if (!publisher.publishes() || publisher.trackByMid().containsKey(mid)) {
      return;
    }
    PlannedSection section = publisher.plan().section(mid).orElse(null);
    RemoteDescription.Section offered = section == null ? null : section.remote();
    if (offered == null || offered.primarySsrcs().isEmpty() || section.primaryCodecs().isEmpty()
        || (section.kind() != MediaKind.AUDIO && section.kind() != MediaKind.VIDEO)) {
      LOG.fine(() -> "section " + mid + " of " + publisher.peerId() + " sends nothing the node can forward");
      return;
    }
    long ssrc = offered.primarySsrcs().get(0);
    long rtx = offered.rtxSsrcs().getOrDefault(ssrc, 0L);
    Codec codec = section.primaryCodecs().get(0);
    Track.Kind kind = section.kind() == MediaKind.AUDIO ? Track.Kind.AUDIO : Track.Kind.VIDEO;
    Track track;
    try {
      track = router.publish(publisher.peerId(), new Track(newTrackId(), publisher.peerId(), kind, (int) ssrc,
          (int) rtx, codec.clockRate(), codec.pt()));
    } catch (MediaRefusal refused) {
      LOG.info(() -> "track of " + publisher.peerId() + " not published: " + refused.getMessage());
      return;
    }
    var source = publisher.pipeline().forwarder().addSource(track, MediaNode.detectorFor(codec.name()));
    source.extensionIds(extensionIdsFor(section));
    // the node answers with transport-cc feedback where the publisher numbers its packets so (Chrome's estimate
    // depends on it once negotiated)
    source.transportCcId(Math.max(0, section.extmapId(Extmap.TRANSPORT_CC)));
    // the publisher answers the node's NACKs on its RTX SSRC with these payload types (Chrome does when offered)
    section.codecs().stream().filter(c -> c.isRtx() && c.apt() >= 0 && c.apt() < 128)
        .forEach(r -> source.rtxPayloadType(r.pt(), r.apt()));
    publisher.trackByMid().put(mid, track.id());
    codecsOfTrack.put(track.id(), section.primaryCodecs());
    extmapsOfTrack.put(track.id(), offered.extmaps());
    for (String other : publisher.pipeline().media().participants()) {
      Participant subscriber = participants.get(other);
      if (subscriber != null && subscriber != publisher) {
        subscribe(subscriber, track);
      }
    }
    announce(publisher, "track:published", track);
    changed.run();
  }

  void unpublish(Participant publisher, String mid) {
    String trackId = publisher.trackByMid().remove(mid);
    if (trackId == null) {
      return;
    }
    Track track = publisher.pipeline().media().track(trackId);
    router.unpublish(publisher.peerId(), trackId);
    codecsOfTrack.remove(trackId);
    extmapsOfTrack.remove(trackId);
    if (track != null) {
      publisher.pipeline().forwarder().removeSource(track.ssrc());
    }
    for (String other : publisher.pipeline().media().participants()) {
      Participant subscriber = participants.get(other);
      if (subscriber != null && subscriber != publisher && subscriber.plan().removeSendTrack(trackId).isPresent()) {
        subscriber.negotiator().tracksChanged();
      }
    }
    if (track != null) {
      announce(publisher, "track:unpublished", track);
    }
    changed.run();
  }

  void unpublishAll(Participant publisher) {
    for (String mid : List.copyOf(publisher.trackByMid().keySet())) {
      unpublish(publisher, mid);
    }
  }

  /** A newcomer receives every track already in the room (offered after its first answer). */
  void subscribeToRoom(Participant newcomer) {
    for (Track track : List.copyOf(newcomer.pipeline().media().tracks())) {
      if (!track.ownerId().equals(newcomer.peerId())) {
        subscribe(newcomer, track);
      }
    }
  }

  private void subscribe(Participant subscriber, Track track) {
    Downstream downstream = router.subscribe(subscriber.peerId(), track.id());
    MediaKind kind = track.isVideo() ? MediaKind.VIDEO : MediaKind.AUDIO;
    PlannedSection section = subscriber.plan().addSendTrack(kind, track.id(), track.ownerId(),
        downstream.outgoingSsrc() & 0xFFFF_FFFFL, downstream.outgoingRtxSsrc() & 0xFFFF_FFFFL);
    mapToSubscriber(downstream, section);
    // nothing is sent before the subscriber has answered an offer naming this stream: packets it cannot demultiplex
    // yet are dropped by it, and with them the keyframe its decoder needs (MediaNode.answer resumes it)
    downstream.paused(true);
    subscriber.negotiator().tracksChanged();
  }

  /**
   * The publisher's header-extension ids onto the subscriber's section's, by URI ({@code map[publisherId]}; 0 removes
   * the element, as for an extension the subscriber did not negotiate). The mid always goes: it is the publisher's
   * section and means another section to the subscriber.
   */
  static int[] extensionIdMap(List<Extmap> publisher, PlannedSection subscriber) {
    int[] map = new int[256];
    for (Extmap extension : publisher) {
      int id = Extmap.MID.equals(extension.uri()) ? -1 : subscriber.extmapId(extension.uri());
      if (extension.id() > 0 && extension.id() < map.length) {
        map[extension.id()] = Math.max(0, id);
      }
    }
    return map;
  }

  /**
   * The subscriber's payload types for the track's, its RTX payload type for each (RTX to the subscriber only where
   * its section has one), and its header-extension ids: at subscription from the node's offer, again after each
   * answer, which may narrow it.
   */
  void mapToSubscriber(Downstream downstream, PlannedSection section) {
    downstream.extensionIds(extensionIdMap(extmapsOfTrack.getOrDefault(downstream.track().id(), List.of()), section));
    for (Codec source : codecsOfTrack.getOrDefault(downstream.track().id(), List.of())) {
      section.primaryCodecs().stream()
          .filter(c -> c.name().equalsIgnoreCase(source.name()) && c.clockRate() == source.clockRate())
          .findFirst()
          .ifPresent(c -> {
            downstream.mapPayloadType(source.pt(), c.pt());
            downstream.mapRtxPayloadType(c.pt(), section.codecs().stream().filter(r -> r.isRtx() && r.apt() == c.pt())
                .mapToInt(Codec::pt).findFirst().orElse(-1));
          });
    }
  }

  private void announce(Participant publisher, String event, Track track) {
    JsonObject payload = new JsonObject().put("track_id", track.id()).put("peer_id", track.ownerId())
        .put("kind", track.isVideo() ? "video" : "audio");
    for (String other : publisher.pipeline().media().participants()) {
      events.push(publisher.room(), other, event, payload.copy());
    }
  }

  /**
   * The publisher's extension ids kept as they are, except the mid, which is the publisher's section and means another
   * section to the subscriber: what a stream gets before a subscriber's own map ({@link #extensionIdMap}) is set.
   */
  private static int[] extensionIdsFor(PlannedSection section) {
    int[] map = new int[256];
    for (int id = 1; id < map.length; id++) {
      map[id] = id;
    }
    int mid = section.remote() == null ? -1
        : section.remote().extmap(Extmap.MID).map(Extmap::id).orElse(-1);
    if (mid > 0 && mid < map.length) {
      map[mid] = 0;
    }
    return map;
  }

  private static String newTrackId() {
    byte[] bytes = new byte[9];
    RANDOM.nextBytes(bytes);
    return "tr_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}

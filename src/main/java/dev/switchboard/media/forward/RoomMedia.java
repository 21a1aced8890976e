package dev.switchboard.media.forward;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The media of one room on this node: its participants, the tracks they publish, who receives which. Changes
 * (joins, tracks, subscriptions) are rare and may allocate; the per-packet question "to whom does this SSRC go" is
 * answered by {@link #downstreams(int)} from an array rebuilt on every change, so forwarding a packet is one
 * lookup and an indexed loop. Owned by the packet thread. Limits are the {@link Router}'s.
 */
public final class RoomMedia {
  private static final Downstream[] NONE = new Downstream[0];

  private final String id;
  private final RandomGenerator random;
  private final Set<String> participants = new LinkedHashSet<>();
  private final Map<String, Track> tracks = new LinkedHashMap<>();
  private final SsrcMap<Track> tracksBySsrc = new SsrcMap<>();
  private final Map<String, List<Downstream>> byTrack = new HashMap<>();
  private final Map<String, Map<String, Downstream>> bySubscriber = new HashMap<>();
  private final Map<String, SsrcMap<Downstream>> byOutgoingSsrc = new HashMap<>();
  private final SsrcMap<Downstream[]> fanout = new SsrcMap<>();

  public RoomMedia(String id, RandomGenerator random) {
    this.id = id;
    this.random = random;
  }

  public String id() {
    return id;
  }

  /** The subscribers' streams of source SSRC {@code ssrc}; an empty array for none. Never allocates. */
  public Downstream[] downstreams(int ssrc) {
    Downstream[] d = fanout.get(ssrc);
    return d == null ? NONE : d;
  }

  /** The track whose media or RTX SSRC this is, or null. */
  public Track track(int ssrc) {
    return tracksBySsrc.get(ssrc);
  }

  public Track track(String trackId) {
    return tracks.get(trackId);
  }

  /** The stream a subscriber knows by {@code outgoingSsrc} (its RTCP names it so), or null. */
  public Downstream downstream(String subscriberId, int outgoingSsrc) {
    SsrcMap<Downstream> map = byOutgoingSsrc.get(subscriberId);
    return map == null ? null : map.get(outgoingSsrc);
  }

  public boolean addParticipant(String participantId) {
    return participants.add(participantId);
  }

  public boolean contains(String participantId) {
    return participants.contains(participantId);
  }

  public Set<String> participants() {
    return Collections.unmodifiableSet(participants);
  }

  public boolean isEmpty() {
    return participants.isEmpty();
  }

  /** Removes a participant: its tracks (and everybody's streams of them) and its subscriptions. */
  public List<Downstream> removeParticipant(String participantId) {
    List<Downstream> removed = new ArrayList<>();
    for (Track t : tracksOf(participantId)) {
      removed.addAll(removeTrack(t.id()));
    }
    Map<String, Downstream> subs = bySubscriber.get(participantId);
    if (subs != null) {
      for (String trackId : new ArrayList<>(subs.keySet())) {
        removed.add(unsubscribe(participantId, trackId));
      }
    }
    bySubscriber.remove(participantId);
    byOutgoingSsrc.remove(participantId);
    participants.remove(participantId);
    return removed;
  }

  public List<Track> tracksOf(String ownerId) {
    List<Track> list = new ArrayList<>();
    for (Track t : tracks.values()) {
      if (t.ownerId().equals(ownerId)) {
        list.add(t);
      }
    }
    return list;
  }

  public Collection<Track> tracks() {
    return Collections.unmodifiableCollection(tracks.values());
  }

  /** Adds a track of a participant of the room; refused when its id or one of its SSRCs is taken. */
  public Track addTrack(Track track) {
    if (!participants.contains(track.ownerId())) {
      throw new MediaRefusal(MediaRefusal.Cause.NOT_JOINED, track.ownerId());
    }
    if (tracks.containsKey(track.id())) {
      throw new MediaRefusal(MediaRefusal.Cause.SSRC_IN_USE, "track id " + track.id());
    }
    checkSsrcsFree(track, null);
    tracks.put(track.id(), track);
    indexSsrcs(track);
    return track;
  }

  /**
   * The same track now arrives with other SSRCs (the publisher republished it, e.g. after an ICE restart or a
   * device change): subscribers keep their streams and outgoing SSRCs, and their rewriters see a source switch.
   */
  public Track republish(Track track) {
    Track old = tracks.get(track.id());
    if (old == null) {
      throw new MediaRefusal(MediaRefusal.Cause.UNKNOWN_TRACK, track.id());
    }
    if (!old.ownerId().equals(track.ownerId()) || old.kind() != track.kind()) {
      throw new MediaRefusal(MediaRefusal.Cause.NOT_ALLOWED, "republish of " + track.id());
    }
    checkSsrcsFree(track, old);
    unindexSsrcs(old);
    tracks.put(track.id(), track);
    indexSsrcs(track);
    List<Downstream> list = byTrack.getOrDefault(track.id(), List.of());
    for (Downstream d : list) {
      d.track(track);
    }
    fanout.remove(old.ssrc());
    rebuild(track.id());
    return track;
  }

  /** Removes a track and every subscriber's stream of it; returns those streams (their SDP must change). */
  public List<Downstream> removeTrack(String trackId) {
    Track track = tracks.remove(trackId);
    if (track == null) {
      return List.of();
    }
    unindexSsrcs(track);
    List<Downstream> list = byTrack.remove(trackId);
    fanout.remove(track.ssrc());
    if (list == null) {
      return List.of();
    }
    for (Downstream d : list) {
      Map<String, Downstream> subs = bySubscriber.get(d.subscriberId());
      if (subs != null) {
        subs.remove(trackId);
      }
      forgetOutgoing(d);
    }
    return list;
  }

  /**
   * Subscribes a participant to a track: a new stream with random outgoing SSRCs, unique for the subscriber and
   * never 0; the existing one when already subscribed.
   */
  public Downstream subscribe(String subscriberId, String trackId) {
    if (!participants.contains(subscriberId)) {
      throw new MediaRefusal(MediaRefusal.Cause.NOT_JOINED, subscriberId);
    }
    Track track = tracks.get(trackId);
    if (track == null) {
      throw new MediaRefusal(MediaRefusal.Cause.UNKNOWN_TRACK, trackId);
    }
    if (track.ownerId().equals(subscriberId)) {
      throw new MediaRefusal(MediaRefusal.Cause.NOT_ALLOWED, "own track " + trackId);
    }
    Map<String, Downstream> subs = bySubscriber.computeIfAbsent(subscriberId, k -> new LinkedHashMap<>());
    Downstream existing = subs.get(trackId);
    if (existing != null) {
      return existing;
    }
    SsrcMap<Downstream> outgoing = byOutgoingSsrc.computeIfAbsent(subscriberId, k -> new SsrcMap<>());
    int ssrc = freshSsrc(outgoing, 0);
    int rtx = track.isVideo() ? freshSsrc(outgoing, ssrc) : 0;
    Downstream d = new Downstream(subscriberId, track, ssrc, rtx, random.nextInt(1 << 16),
        random.nextLong() & Seq.TS_MASK, random.nextInt(1 << 16));
    subs.put(trackId, d);
    outgoing.put(ssrc, d);
    if (rtx != 0) {
      outgoing.put(rtx, d);
    }
    byTrack.computeIfAbsent(trackId, k -> new ArrayList<>()).add(d);
    rebuild(trackId);
    return d;
  }

  /** Ends a subscription; returns its stream, or null when there was none. */
  public Downstream unsubscribe(String subscriberId, String trackId) {
    Map<String, Downstream> subs = bySubscriber.get(subscriberId);
    Downstream d = subs == null ? null : subs.remove(trackId);
    if (d == null) {
      return null;
    }
    List<Downstream> list = byTrack.get(trackId);
    if (list != null) {
      list.remove(d);
    }
    forgetOutgoing(d);
    rebuild(trackId);
    return d;
  }

  /** A subscriber's streams. */
  public Collection<Downstream> subscriptions(String subscriberId) {
    Map<String, Downstream> subs = bySubscriber.get(subscriberId);
    return subs == null ? List.of() : Collections.unmodifiableCollection(subs.values());
  }

  /**
   * The lowest bandwidth estimate among the subscribers of source {@code ssrc} that reported one, -1 when none did;
   * the cap of the publisher's {@link BandwidthFeedback}. Does not allocate.
   */
  public long lowestSubscriberEstimate(int ssrc) {
    long lowest = -1;
    for (Downstream d : downstreams(ssrc)) {
      long e = d.subscriberEstimateBps();
      if (e > 0 && (lowest < 0 || e < lowest)) {
        lowest = e;
      }
    }
    return lowest;
  }

  private void rebuild(String trackId) {
    Track track = tracks.get(trackId);
    if (track == null) {
      return;
    }
    List<Downstream> list = byTrack.get(trackId);
    if (list == null || list.isEmpty()) {
      fanout.remove(track.ssrc());
    } else {
      fanout.put(track.ssrc(), list.toArray(NONE));
    }
  }

  private void forgetOutgoing(Downstream d) {
    SsrcMap<Downstream> outgoing = byOutgoingSsrc.get(d.subscriberId());
    if (outgoing != null) {
      outgoing.remove(d.outgoingSsrc());
      if (d.outgoingRtxSsrc() != 0) {
        outgoing.remove(d.outgoingRtxSsrc());
      }
    }
  }

  /** Random, non-zero, unused by the subscriber's other streams and by every publisher SSRC of the room. */
  private int freshSsrc(SsrcMap<Downstream> taken, int alsoTaken) {
    while (true) {
      int ssrc = random.nextInt();
      if (ssrc != 0 && ssrc != alsoTaken && !taken.containsKey(ssrc) && !tracksBySsrc.containsKey(ssrc)) {
        return ssrc;
      }
    }
  }

  private void checkSsrcsFree(Track track, Track replacing) {
    for (int ssrc : track.hasRtx() ? new int[] {track.ssrc(), track.rtxSsrc()} : new int[] {track.ssrc()}) {
      Track holder = tracksBySsrc.get(ssrc);
      if (holder != null && holder != replacing) {
        throw new MediaRefusal(MediaRefusal.Cause.SSRC_IN_USE, Integer.toUnsignedString(ssrc));
      }
    }
  }

  private void indexSsrcs(Track track) {
    tracksBySsrc.put(track.ssrc(), track);
    if (track.hasRtx()) {
      tracksBySsrc.put(track.rtxSsrc(), track);
    }
  }

  private void unindexSsrcs(Track track) {
    tracksBySsrc.remove(track.ssrc());
    if (track.hasRtx()) {
      tracksBySsrc.remove(track.rtxSsrc());
    }
  }
}

package dev.switchboard.media.node;

import dev.switchboard.media.forward.Downstream;
import dev.switchboard.media.forward.KeyframeDetector;
import dev.switchboard.media.forward.MediaCounters;
import dev.switchboard.media.forward.MediaRefusal;
import dev.switchboard.media.forward.PacketForwarder;
import dev.switchboard.media.forward.RoomMedia;
import dev.switchboard.media.forward.Router;
import dev.switchboard.media.forward.RtcpFeedback;
import dev.switchboard.media.forward.Track;
import dev.switchboard.media.negotiation.NegotiationRefusal;
import dev.switchboard.media.negotiation.Negotiator;
import dev.switchboard.media.sdp.MediaPlan;
import dev.switchboard.media.sdp.RemoteDescription;
import dev.switchboard.media.transport.DtlsServer;
import dev.switchboard.media.transport.DtlsSession;
import dev.switchboard.media.transport.IceCredentials;
import dev.switchboard.media.transport.SrtpKeys;
import dev.switchboard.media.transport.TransportSession;
import dev.switchboard.media.transport.TransportSessions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The media node's participants and rooms: admission at the first offer, negotiation, who publishes what, who
 * receives what. Packet thread only: the verticle hands every request to it, and DTLS results come back to it.
 */
public final class MediaNode {
  private static final Logger LOG = Logger.getLogger(MediaNode.class.getName());
  /** A node offer the client has not answered after this long is made again. */
  private static final long ANSWER_TIMEOUT_MILLIS = 10_000;

  private final TransportSessions transports;
  private final DtlsServer dtls;
  private final Router router;
  private final List<MediaPlan.Candidate> candidates;
  private final MediaEvents events;
  private final Executor packetThread;
  private final LongSupplier nanos;
  private final Map<String, RoomPipeline> rooms = new HashMap<>();
  private final Map<String, Participant> participants = new HashMap<>();
  private final Publications publications;
  private final MediaCounters counters;

  public MediaNode(TransportSessions transports, DtlsServer dtls, Router router, List<MediaPlan.Candidate> candidates,
      MediaEvents events, Executor packetThread, LongSupplier nanos) {
    this(transports, dtls, router, candidates, events, packetThread, nanos, new MediaCounters());
  }

  /** @param counters the node's media counters, bumped on the packet thread, read by the metrics scrape */
  public MediaNode(TransportSessions transports, DtlsServer dtls, Router router, List<MediaPlan.Candidate> candidates,
      MediaEvents events, Executor packetThread, LongSupplier nanos, MediaCounters counters) {
    this.counters = counters;
    this.transports = transports;
    this.dtls = dtls;
    this.router = router;
    this.candidates = List.copyOf(candidates);
    this.events = events;
    this.packetThread = packetThread;
    this.nanos = nanos;
    this.publications = new Publications(router, participants, events, nanos, this::countPopulation);
  }

  /** Participants, rooms and tracks for the metrics' gauges, after each change. */
  private void countPopulation() {
    int tracks = 0;
    for (RoomPipeline pipeline : rooms.values()) {
      tracks += pipeline.media().tracks().size();
    }
    counters.population(participants.size(), rooms.size(), tracks);
  }

  /** The client's offer: admits it at its first, returns the node's answer. */
  public String offer(String room, String peerId, String sdp, boolean publish) {
    Participant participant = participants.get(peerId);
    if (participant != null && !participant.room().equals(room)) {
      throw new MediaRefusal(MediaRefusal.Cause.IN_ANOTHER_ROOM, peerId);
    }
    boolean admitted = participant == null;
    if (admitted) {
      participant = admit(room, peerId, publish);
    }
    try {
      return participant.negotiator().clientOffer(sdp);
    } catch (RuntimeException refused) {
      if (admitted) {
        leave(room, peerId); // a first offer the node cannot take leaves nothing behind
      }
      throw refused;
    }
  }

  /** After the answer to a client offer went out: the node offers what it sends (other participants' tracks). */
  public void answerSent(String peerId) {
    Participant participant = participants.get(peerId);
    if (participant != null) {
      participant.negotiator().afterAnswerSent();
    }
  }

  public void answer(String room, String peerId, String sdp) {
    Participant participant = participants.get(peerId);
    if (participant == null || !participant.room().equals(room)) {
      throw new NegotiationRefusal(NegotiationRefusal.NO_OFFER_PENDING);
    }
    participant.negotiator().clientAnswer(sdp);
    resumeAgreedStreams(participant);
  }

  /** Streams the participant's answer now covers start, each with a keyframe request to its publisher. */
  private void resumeAgreedStreams(Participant participant) {
    long now = nanos.getAsLong();
    RoomPipeline pipeline = participant.pipeline();
    for (Downstream downstream : pipeline.media().subscriptions(participant.peerId())) {
      var section = participant.plan().sectionOf(downstream.track().id())
          .filter(s -> s.negotiated() != null && s.negotiated().sends());
      section.ifPresent(s -> publications.mapToSubscriber(downstream, s));
      boolean agreed = section.isPresent();
      if (downstream.paused() && agreed) {
        downstream.paused(false);
        pipeline.feedback().subscriberAdded(downstream, now);
      }
    }
  }

  /** The participant left the room or lost its socket: its tracks are unpublished, its transport closed. */
  public void leave(String room, String peerId) {
    Participant participant = participants.get(peerId);
    if (participant == null || !participant.room().equals(room)) {
      return;
    }
    publications.unpublishAll(participant);
    participants.remove(peerId);
    router.leave(peerId);
    if (participant.transport() != null) {
      transports.close(participant.transport());
    }
    participant.close();
    RoomPipeline pipeline = participant.pipeline();
    pipeline.feedback().participantLeft(peerId);
    if (pipeline.media().isEmpty()) {
      rooms.remove(room);
    }
    countPopulation();
  }

  private Participant admit(String room, String peerId, boolean publish) {
    RoomMedia media = router.join(room, peerId);
    RoomPipeline pipeline = rooms.computeIfAbsent(room, r -> pipeline(media));
    Participant participant = new Participant(peerId, room, publish, pipeline, nanos);
    IceCredentials local = IceCredentials.random();
    TransportSession transport;
    try {
      transport = transports.register(local, null, participant);
    } catch (IllegalStateException full) {
      router.leave(peerId);
      throw new MediaRefusal(MediaRefusal.Cause.NODE_PARTICIPANTS_FULL, full.getMessage());
    }
    MediaPlan plan = new MediaPlan(local.ufrag(), local.pwd(), dtls.fingerprint(), candidates);
    Negotiator negotiator = new Negotiator(new PlanSession(plan, (offer, change) -> offered(participant, offer, change)),
        sdp -> events.push(room, peerId, "media:offer", new JsonObject().put("sdp", sdp)),
        () -> nanos.getAsLong() / 1_000_000, ANSWER_TIMEOUT_MILLIS);
    participant.attach(transport, plan, negotiator);
    participants.put(peerId, participant);
    publications.subscribeToRoom(participant);
    countPopulation();
    return participant;
  }

  private RoomPipeline pipeline(RoomMedia media) {
    PacketForwarder forwarder = new PacketForwarder(media, new PacketForwarder.Egress() {
      @Override
      public boolean send(String subscriber, byte[] buf, int off, int len) {
        Participant to = participants.get(subscriber);
        return to != null && to.sendRtp(buf, off, len);
      }

      @Override
      public boolean ready(String subscriber) {
        Participant to = participants.get(subscriber);
        return to != null && to.connected();
      }
    }, counters);
    RtcpFeedback feedback = new RtcpFeedback(media, forwarder, (to, buf, off, len) -> {
      Participant participant = participants.get(to);
      return participant != null && participant.sendRtcp(buf, off, len);
    }, counters);
    return new RoomPipeline(media, forwarder, feedback);
  }

  /** What a client offer changed, before the answer is written: the transport's peer, and published tracks. */
  private void offered(Participant participant, RemoteDescription offer, MediaPlan.RemoteChange change) {
    IceCredentials remote = new IceCredentials(offer.iceUfrag(), offer.icePwd());
    if (participant.dtlsSession() == null) {
      participant.transport().remote(remote);
      RemoteDescription.Fingerprint fingerprint = offer.fingerprint();
      participant.dtls(dtls.open(fingerprint.algorithm() + " " + fingerprint.value(), (buf, off, len) -> {
        byte[] record = Arrays.copyOfRange(buf, off, off + len); // the handshake pool's buffer is reused
        packetThread.execute(() -> participant.transport().send(record, 0, record.length));
      }, new DtlsSession.Listener() {
        @Override
        public void connected(SrtpKeys keys) {
          packetThread.execute(() -> {
            participant.connected(keys);
            // what it was subscribed to while it could not receive starts with a fresh keyframe
            long now = nanos.getAsLong();
            for (var downstream : participant.pipeline().media().subscriptions(participant.peerId())) {
              participant.pipeline().feedback().subscriberAdded(downstream, now);
            }
          });
        }

        @Override
        public void failed(Throwable cause) {
          LOG.info(() -> "DTLS with " + participant.peerId() + " failed: " + cause.getMessage());
        }
      }));
    } else if (change.iceRestart()) {
      IceCredentials local = participant.transport().restart(remote);
      participant.plan().restartIce(local.ufrag(), local.pwd());
    }
    for (String mid : change.stopped()) {
      publications.unpublish(participant, mid);
    }
    for (String mid : change.receiving()) {
      publications.publish(participant, mid);
    }
  }

  /** Every 20 ms or so: upstream NACKs and keyframe requests. */
  public void tick() {
    long now = nanos.getAsLong();
    for (RoomPipeline pipeline : rooms.values()) {
      pipeline.feedback().tick(now);
    }
  }

  /** Every second: RTCP reports, offers left unanswered, ICE consent. */
  public void slowTick() {
    long now = nanos.getAsLong();
    for (RoomPipeline pipeline : rooms.values()) {
      pipeline.feedback().reports(now);
    }
    for (Participant participant : new ArrayList<>(participants.values())) {
      participant.negotiator().tick();
    }
    transports.tick(now / 1_000_000);
  }

  public int participantCount() {
    return participants.size();
  }

  public int roomCount() {
    return rooms.size();
  }

  /** Whether the participant's media is encrypted and flowing (DTLS done), for specs and metrics. */
  public boolean connected(String peerId) {
    Participant participant = participants.get(peerId);
    return participant != null && participant.connected();
  }

  /** The room's tracks with their owners (for a late joiner's app, and specs). */
  public List<Track> tracks(String room) {
    RoomPipeline pipeline = rooms.get(room);
    return pipeline == null ? List.of() : List.copyOf(pipeline.media().tracks());
  }

  static KeyframeDetector detectorFor(String codecName) {
    return switch (codecName.toUpperCase()) {
      case "VP8" -> KeyframeDetector.VP8;
      case "H264" -> KeyframeDetector.H264;
      default -> KeyframeDetector.NONE;
    };
  }
}

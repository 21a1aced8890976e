package dev.switchboard.media.sdp;

import dev.switchboard.media.sdp.PlannedSection.Origin;
import dev.switchboard.media.sdp.PlannedSection.SendTrack;
import dev.switchboard.media.sdp.RemoteDescription.Section;
import dev.switchboard.media.sdp.RemoteDescription.Setup;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The node's side of one participant's PeerConnection: its m-sections in order, its ICE credentials, certificate
 * fingerprint and candidates, and where the offer/answer exchange stands. {@link SessionBuilder} writes it out;
 * the methods here change it as tracks come and go and as the client's descriptions arrive.
 *
 * <p>Unified Plan keeps m-lines forever: a section is never removed, only made inactive (and reused by the next
 * track of its kind) or rejected. Under perfect negotiation the node is the impolite peer: a client offer that
 * crosses the node's own is refused, and the client rolls back and answers.
 *
 * <p>Not thread-safe: one participant's plan is owned by the packet thread.
 */
public final class MediaPlan {
  /** An ICE host candidate of the node: UDP, component 1 (rtcp-mux). */
  public record Candidate(String ip, int port, long priority) {
  }

  /** Where the exchange stands, from the node's side (JSEP §3.2 without the pranswer states). */
  public enum SignalingState { STABLE, HAVE_LOCAL_OFFER, HAVE_REMOTE_OFFER }

  /**
   * What a client offer or answer changed.
   *
   * @param receiving     mids on which the client now sends media it did not send before
   * @param stopped       mids on which it no longer does (direction changed, or the section was stopped)
   * @param droppedTracks tracks the node sent in sections the client has now rejected or stopped: no longer sent
   * @param iceRestart    the client's offer changed its ICE credentials: call {@link #restartIce} before answering
   */
  public record RemoteChange(List<String> receiving, List<String> stopped, List<String> droppedTracks,
      boolean iceRestart) {
  }

  /** Collects a {@link RemoteChange} section by section. */
  private static final class Changes {
    final List<String> receiving = new ArrayList<>();
    final List<String> stopped = new ArrayList<>();
    final List<String> dropped = new ArrayList<>();

    void compare(PlannedSection before, PlannedSection after) {
      boolean was = before != null && before.clientSends();
      if (after.clientSends() && !was) {
        receiving.add(after.mid());
      } else if (was && !after.clientSends()) {
        stopped.add(after.mid());
      }
      if (before != null && before.send() != null && after.send() == null) {
        dropped.add(before.send().trackId());
      }
    }

    RemoteChange result(boolean iceRestart) {
      return new RemoteChange(List.copyOf(receiving), List.copyOf(stopped), List.copyOf(dropped), iceRestart);
    }
  }

  private static final Pattern MSID_TOKEN = Pattern.compile("[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]{1,64}");

  private final List<PlannedSection> sections = new ArrayList<>();
  private final PayloadMap payloads = new PayloadMap();
  private final String fingerprint;
  private final List<Candidate> candidates;
  private final long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
  private String iceUfrag;
  private String icePwd;
  private long version;
  private int nextMid = 1;
  private SignalingState state = SignalingState.STABLE;
  private List<String> offeredMids = List.of();
  private RemoteDescription pendingOffer;
  private RemoteDescription remote;
  private boolean changed;

  /** @param fingerprint the node certificate's, as SDP writes it: {@code sha-256 AB:CD:...} */
  public MediaPlan(String iceUfrag, String icePwd, String fingerprint, List<Candidate> candidates) {
    this.iceUfrag = iceUfrag;
    this.icePwd = icePwd;
    this.fingerprint = fingerprint;
    this.candidates = List.copyOf(candidates);
  }

  public List<PlannedSection> sections() {
    return List.copyOf(sections);
  }

  public Optional<PlannedSection> section(String mid) {
    return sections.stream().filter(s -> mid.equals(s.mid())).findFirst();
  }

  /** The node section that sends {@code trackId}. */
  public Optional<PlannedSection> sectionOf(String trackId) {
    return sections.stream().filter(s -> s.send() != null && s.send().trackId().equals(trackId)).findFirst();
  }

  /**
   * Sends {@code trackId} to this participant from now on: in an inactive node section of its kind if there is
   * one (its mid stays, its msid and SSRCs change), else in a new section at the end with a fresh mid. Takes
   * effect with the next offer.
   *
   * @param rtxSsrc the RTX SSRC for video, 0 for none
   */
  public PlannedSection addSendTrack(MediaKind kind, String trackId, String ownerPeerId, long ssrc, long rtxSsrc) {
    if (kind != MediaKind.AUDIO && kind != MediaKind.VIDEO) {
      throw new IllegalArgumentException("the node sends audio and video only");
    }
    if (!MSID_TOKEN.matcher(trackId).matches() || !MSID_TOKEN.matcher(ownerPeerId).matches()) {
      throw new IllegalArgumentException("track and peer ids must be msid tokens of 1..64 chars");
    }
    if (sectionOf(trackId).isPresent()) {
      throw new IllegalArgumentException("track " + trackId + " is sent already");
    }
    SendTrack track = new SendTrack(trackId, ownerPeerId, ssrc, kind == MediaKind.VIDEO ? rtxSsrc : 0, ownerPeerId);
    for (int i = 0; i < sections.size(); i++) {
      PlannedSection section = sections.get(i);
      if (section.reusable() && section.kind() == kind) {
        sections.set(i, section.withSend(track));
        changed = true;
        return sections.get(i);
      }
    }
    PlannedSection added = new PlannedSection(freshMid(), kind, Origin.NODE, Direction.SENDONLY, null, false, false,
        payloads.codecs(kind, sections), payloads.extmaps(kind, sections), track, null);
    sections.add(added);
    changed = true;
    return added;
  }

  /** Stops sending {@code trackId}: its section goes inactive with the next offer. Empty when it was not sent. */
  public Optional<PlannedSection> removeSendTrack(String trackId) {
    for (int i = 0; i < sections.size(); i++) {
      SendTrack send = sections.get(i).send();
      if (send != null && send.trackId().equals(trackId)) {
        sections.set(i, sections.get(i).withSend(null));
        changed = true;
        return Optional.of(sections.get(i));
      }
    }
    return Optional.empty();
  }

  /** New node credentials, after the client restarted ICE or when the node restarts it (then offer). */
  public void restartIce(String ufrag, String pwd) {
    this.iceUfrag = ufrag;
    this.icePwd = pwd;
  }

  /**
   * Takes in a client offer (call {@link SessionBuilder#answer} next). Its m-lines must be the ones the node
   * knows, in order and with their mids, followed by any new ones; sections the node has added but not yet offered
   * move behind the client's new ones.
   */
  public RemoteChange applyRemoteOffer(RemoteDescription offer) throws SdpException {
    if (state == SignalingState.HAVE_LOCAL_OFFER) {
      throw new SdpException("offer collision: the node's offer is pending, roll back and answer it");
    }
    if (state == SignalingState.HAVE_REMOTE_OFFER) {
      throw new SdpException("the client's previous offer is not answered yet");
    }
    if (offer.setup() == Setup.PASSIVE || offer.setup() == Setup.HOLDCONN) {
      throw new SdpException("the node is the DTLS server: offer setup actpass or active");
    }
    // in a stable state, the client knows every section but the node's own not yet offered, which are at the end
    List<PlannedSection> known = sections.stream().filter(PlannedSection::offered).toList();
    List<PlannedSection> unoffered = sections.stream().filter(s -> !s.offered()).toList();
    if (offer.sections().size() < known.size()) {
      throw new SdpException("the offer drops m-lines");
    }
    Set<String> nodeMids = new HashSet<>();
    unoffered.forEach(s -> nodeMids.add(s.mid()));
    Changes changes = new Changes();
    List<PlannedSection> next = new ArrayList<>();
    for (Section offered : offer.sections()) {
      if (nodeMids.contains(offered.mid())) {
        throw new SdpException("mid " + offered.mid() + " is the node's");
      }
    }
    for (Section offered : offer.sections()) {
      PlannedSection old = offered.index() < known.size() ? known.get(offered.index()) : null;
      boolean sameMid = old != null && Objects.equals(old.mid(), offered.mid());
      if (old != null && !sameMid && !old.rejected()) {
        throw new SdpException("m-line " + offered.index() + " changed its mid");
      }
      // JSEP §5.2.2: a rejected m-line may be recycled by the offerer for a new transceiver, with a new mid
      PlannedSection section = sameMid ? update(old, offered, offer.bundle()) : fromClient(offered, offer.bundle());
      changes.compare(old, section);
      next.add(section);
    }
    next.addAll(unoffered);
    // a refused offer teaches nothing: the numbers are learned once it is taken
    payloads.learn(offer.sections());
    boolean iceRestart = remote != null && !remote.iceUfrag().equals(offer.iceUfrag());
    sections.clear();
    sections.addAll(next);
    renumberUnoffered();
    remote = offer;
    pendingOffer = offer;
    state = SignalingState.HAVE_REMOTE_OFFER;
    return changes.result(iceRestart);
  }

  /** A section the client's offer brings: the node receives on it, or rejects what it cannot carry. */
  private PlannedSection fromClient(Section offered, List<String> bundle) {
    List<Codec> codecs = NodeCodecs.accept(offered.kind(), offered.codecs());
    PlannedSection section = new PlannedSection(offered.mid(), offered.kind(), Origin.CLIENT, Direction.RECVONLY,
        null, false, false, codecs, NodeCodecs.acceptExtensions(offered.kind(), offered.extmaps()), null, offered);
    return acceptable(offered, bundle, codecs) ? section : section.rejectedNow(offered);
  }

  private PlannedSection update(PlannedSection old, Section offered, List<String> bundle) {
    if (old.rejected()) {
      return old.withMedia(old.codecs(), old.extmaps(), offered);
    }
    List<Codec> codecs = NodeCodecs.accept(old.kind(), offered.codecs());
    if (!acceptable(offered, bundle, codecs) || offered.kind() != old.kind()) {
      return old.rejectedNow(offered);
    }
    return old.withMedia(codecs, NodeCodecs.acceptExtensions(old.kind(), offered.extmaps()), offered);
  }

  /** Audio or video over the one DTLS-SRTP transport (SAVPF, in the BUNDLE group) with a codec the node forwards. */
  private static boolean acceptable(Section offered, List<String> bundle, List<Codec> codecs) {
    return (offered.kind() == MediaKind.AUDIO || offered.kind() == MediaKind.VIDEO)
        && offered.proto().equals("UDP/TLS/RTP/SAVPF") && offered.bundledIn(bundle)
        && codecs.stream().anyMatch(c -> !c.isRtx());
  }

  /**
   * Takes in the client's answer to the node's last offer: same mids in the same order, the client the DTLS
   * client, payload types and extension ids among those offered. The client's choice narrows each section's
   * codecs and extensions to what it accepted.
   */
  public RemoteChange applyRemoteAnswer(RemoteDescription answer) throws SdpException {
    if (state != SignalingState.HAVE_LOCAL_OFFER) {
      throw new SdpException("no offer of the node's to answer");
    }
    if (!answer.mids().equals(offeredMids)) {
      throw new SdpException("the answer's mids are not the offer's");
    }
    if (answer.setup() != null && answer.setup() != Setup.ACTIVE) {
      throw new SdpException("the client must answer setup:active: the node is the DTLS server");
    }
    Changes changes = new Changes();
    List<PlannedSection> next = new ArrayList<>(sections);
    for (Section answered : answer.sections()) {
      int at = answered.index(); // the offered sections are the plan's first ones, in order (mids checked above)
      PlannedSection offered = next.get(at);
      if (answered.rejected() || offered.rejected() || !answer.bundle().contains(answered.mid())) {
        next.set(at, offered.rejectedNow(answered));
        changes.compare(offered, next.get(at));
        continue;
      }
      List<Codec> codecs = new ArrayList<>();
      for (Codec codec : answered.codecs()) {
        Optional<Codec> mine = offered.codecs().stream().filter(c -> c.pt() == codec.pt()).findFirst();
        if (mine.isEmpty() || !mine.get().name().equalsIgnoreCase(codec.name())) {
          throw new SdpException("mid " + answered.mid() + ": the answer's payload type " + codec.pt()
              + " is not one offered");
        }
        codecs.add(mine.get());
      }
      List<Extmap> extmaps = new ArrayList<>();
      for (Extmap extmap : answered.extmaps()) {
        if (offered.extmapId(extmap.uri()) != extmap.id()) {
          throw new SdpException("mid " + answered.mid() + ": extension id " + extmap.id() + " is not the offer's");
        }
        extmaps.add(new Extmap(extmap.id(), extmap.uri(), null));
      }
      Direction mine = offered.offerDirection();
      Direction agreed = Direction.of(mine.sends() && answered.direction().receives(),
          mine.receives() && answered.direction().sends());
      next.set(at, offered.withMedia(codecs, extmaps, answered).negotiatedAs(agreed));
      changes.compare(offered, next.get(at));
    }
    payloads.learn(answer.sections());
    sections.clear();
    sections.addAll(next);
    renumberUnoffered();
    remote = answer;
    state = SignalingState.STABLE;
    return changes.result(false);
  }

  /**
   * The node's sections the client has not been offered yet take the numbers just learned: the client has never
   * seen their own, which were the node's defaults when nothing was known (see {@link PayloadMap#learn}).
   */
  private void renumberUnoffered() {
    List<PlannedSection> settled = new ArrayList<>(sections.stream()
        .filter(s -> s.offered() || s.origin() == Origin.CLIENT).toList());
    for (int i = 0; i < sections.size(); i++) {
      PlannedSection section = sections.get(i);
      if (!section.offered() && section.origin() == Origin.NODE) {
        PlannedSection renumbered = section.withMedia(payloads.codecs(section.kind(), settled),
            payloads.extmaps(section.kind(), settled), section.remote());
        sections.set(i, renumbered);
        settled.add(renumbered);
      }
    }
  }

  /** A mid of the node's: t1, t2, ..., skipping any the client uses. */
  private String freshMid() {
    while (true) {
      String mid = "t" + nextMid++;
      if (sections.stream().noneMatch(s -> mid.equals(s.mid()))) {
        return mid;
      }
    }
  }

  /** The node wrote an offer of every section: it waits for the answer. */
  void offerWritten() {
    if (state == SignalingState.HAVE_REMOTE_OFFER) {
      throw new IllegalStateException("answer the client's offer first");
    }
    sections.replaceAll(s -> s.offered() ? s : s.negotiatedAs(s.negotiated()));
    offeredMids = sections.stream().map(PlannedSection::mid).toList();
    payloads.offered();
    state = SignalingState.HAVE_LOCAL_OFFER;
    changed = false;
    version++;
  }

  /** The node answered {@code offer}: the sections in it are negotiated, the exchange is complete. */
  void answerWritten(RemoteDescription offer) {
    if (state != SignalingState.HAVE_REMOTE_OFFER || offer != pendingOffer) {
      throw new IllegalStateException("apply the client's offer to the plan before answering it");
    }
    for (int i = 0; i < offer.sections().size(); i++) {
      PlannedSection section = sections.get(i);
      sections.set(i, section.negotiatedAs(section.answerTo(offer.sections().get(i))));
    }
    changed = sections.stream().anyMatch(s -> !s.offered());
    pendingOffer = null;
    state = SignalingState.STABLE;
    version++;
  }

  public SignalingState signalingState() {
    return state;
  }

  /** Something changed that only an offer of the node's can tell the client (a track added or removed). */
  public boolean needsNegotiation() {
    return changed;
  }

  /** The client's last offer or answer applied: its ICE credentials and fingerprint are the transport's. */
  public Optional<RemoteDescription> remote() {
    return Optional.ofNullable(remote);
  }

  public String iceUfrag() {
    return iceUfrag;
  }

  public String icePwd() {
    return icePwd;
  }

  public String fingerprint() {
    return fingerprint;
  }

  public List<Candidate> candidates() {
    return candidates;
  }

  long sessionId() {
    return sessionId;
  }

  long version() {
    return version;
  }
}

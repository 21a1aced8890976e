package dev.switchboard.media.sdp;

import java.util.List;

/**
 * One m-section of a participant's session as the node sees it. A {@link Origin#CLIENT} section came from the
 * client's offer and carries its media to the node; a {@link Origin#NODE} section was appended by the node to send
 * another participant's track ({@link #send()}), and stays, inactive, when that track ends, for the next track of
 * its kind.
 *
 * @param direction  what the node wants, from its side: recvonly on client sections, sendonly on node sections
 *                   with a track, inactive otherwise
 * @param negotiated the direction the last completed offer/answer gave, from the node's side ({@code null} before)
 * @param offered    has been in a description the node gave the client (offer or answer): its mid is known there
 * @param codecs     what the node sends or receives here, in preference order, RTX codecs included
 * @param send       the track the node sends here, {@code null} when none
 * @param remote     this mid in the client's last description, {@code null} before it has one
 */
public record PlannedSection(String mid, MediaKind kind, Origin origin, Direction direction, Direction negotiated,
    boolean rejected, boolean offered, List<Codec> codecs, List<Extmap> extmaps, SendTrack send,
    RemoteDescription.Section remote) {

  public PlannedSection {
    codecs = List.copyOf(codecs);
    extmaps = List.copyOf(extmaps);
  }

  /** Who created the m-section (and so who sends media on it). */
  public enum Origin { CLIENT, NODE }

  /**
   * A track the node forwards from another participant.
   *
   * @param rtxSsrc 0 when there is none (audio)
   * @param cname   the owner's peer id, so the subscriber's browser lip-syncs an owner's audio and video
   */
  public record SendTrack(String trackId, String ownerPeerId, long ssrc, long rtxSsrc, String cname) {
  }

  /** The primary (non-RTX) codecs, the first being the one a browser sends with. */
  public List<Codec> primaryCodecs() {
    return codecs.stream().filter(c -> !c.isRtx()).toList();
  }

  /** An id for the extension, -1 when the section does not use it. */
  public int extmapId(String uri) {
    return extmaps.stream().filter(e -> e.uri().equals(uri)).mapToInt(Extmap::id).findFirst().orElse(-1);
  }

  /** A node section that no track uses and that is still alive: a new track of its kind can take it over. */
  public boolean reusable() {
    return origin == Origin.NODE && send == null && !rejected;
  }

  /** The client sends media on this section (its last description said so): the node receives it. */
  public boolean clientSends() {
    return !rejected && remote != null && !remote.rejected() && remote.direction().sends();
  }

  /**
   * The direction in the node's offers: sending when it has a track; receiving on the client's sections, and on
   * a node section the client has started sending on (a browser's addTrack reuses a transceiver that has never
   * sent, and the node created that one).
   */
  public Direction offerDirection() {
    if (rejected) {
      return Direction.INACTIVE;
    }
    return Direction.of(direction.sends(), origin == Origin.CLIENT || clientSends());
  }

  /** The direction in the node's answer to a section offered so: the node receives whatever a client sends. */
  public Direction answerTo(RemoteDescription.Section offered) {
    return rejected ? Direction.INACTIVE : Direction.of(direction.sends(), true).answerTo(offered.direction());
  }

  PlannedSection withSend(SendTrack track) {
    return new PlannedSection(mid, kind, origin, track == null ? Direction.INACTIVE : Direction.SENDONLY, negotiated,
        rejected, offered, codecs, extmaps, track, remote);
  }

  PlannedSection rejectedNow(RemoteDescription.Section from) {
    return new PlannedSection(mid, kind, origin, Direction.INACTIVE, Direction.INACTIVE, true, offered, codecs,
        extmaps, null, from == null ? remote : from);
  }

  PlannedSection withMedia(List<Codec> newCodecs, List<Extmap> newExtmaps, RemoteDescription.Section from) {
    return new PlannedSection(mid, kind, origin, direction, negotiated, rejected, offered, newCodecs, newExtmaps,
        send, from);
  }

  PlannedSection negotiatedAs(Direction agreed) {
    return new PlannedSection(mid, kind, origin, direction, agreed, rejected, true, codecs, extmaps, send, remote);
  }
}

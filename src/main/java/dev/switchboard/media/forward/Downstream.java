package dev.switchboard.media.forward;

import java.util.Arrays;

/**
 * One track as one subscriber receives it: the SSRCs the subscriber knows it by (random, unique for the subscriber),
 * the payload types of the subscriber's SDP, the {@link StreamRewriter} that keeps its numbering continuous, and what
 * was sent (for its sender reports). Created by {@link RoomMedia#subscribe}; owned by the packet thread.
 */
public final class Downstream {
  private final String subscriberId;
  private final int outSsrc;
  private final int outRtxSsrc;
  private final StreamRewriter rewriter;
  private final int[] payloadTypes = new int[128];
  /** The subscriber's payload type → its RTX payload type for it (a=fmtp apt=), -1 for none: resend plainly. */
  private final int[] rtxPayloadTypes = new int[128];
  private Track track;
  private int rtxSeq;
  private long packetsSent;
  private long octetsSent;
  private long retransmissions;
  private boolean paused;
  private boolean awaitingKeyframe;
  /** Publisher's header-extension id to this subscriber's (0: removed); null: the source's own map applies. */
  private int[] extensionIds;
  private long subscriberEstimateBps = -1;

  Downstream(String subscriberId, Track track, int outSsrc, int outRtxSsrc, int initialSeq, long initialTimestamp,
      int initialRtxSeq) {
    this.subscriberId = subscriberId;
    this.track = track;
    this.outSsrc = outSsrc;
    this.outRtxSsrc = outRtxSsrc;
    this.rewriter = new StreamRewriter(outSsrc, track.clockRate(), initialSeq, initialTimestamp);
    this.rtxSeq = initialRtxSeq & 0xFFFF;
    Arrays.fill(payloadTypes, -1);
    Arrays.fill(rtxPayloadTypes, -1);
    payloadTypes[track.payloadType()] = track.payloadType(); // until the subscriber's SDP says otherwise
    this.awaitingKeyframe = track.isVideo(); // a decoder cannot start on a delta frame
  }

  public String subscriberId() {
    return subscriberId;
  }

  /** The track fed into this stream now (it changes when the track is republished with another SSRC). */
  public Track track() {
    return track;
  }

  void track(Track replacement) {
    this.track = replacement;
    this.awaitingKeyframe = replacement.isVideo();
  }

  public int outgoingSsrc() {
    return outSsrc;
  }

  /** The SSRC for RTX retransmissions to this subscriber, 0 for audio (no RTX). */
  public int outgoingRtxSsrc() {
    return outRtxSsrc;
  }

  public StreamRewriter rewriter() {
    return rewriter;
  }

  /** The subscriber's payload type for a source one, or -1 when the subscriber did not negotiate it (drop). */
  public int payloadType(int sourcePayloadType) {
    return payloadTypes[sourcePayloadType & 0x7F];
  }

  /**
   * How the publisher's header-extension ids become this subscriber's, by URI from both SDPs ({@code map[id]}, 0
   * removes the element): browsers number extensions differently (Firefox's mid is 3, Chromium's abs-send-time 2
   * and its mid 4), and an id the subscriber reads as mid routes the packet to no section.
   */
  public void extensionIds(int[] map) {
    this.extensionIds = map == null ? null : map.clone();
  }

  /** Null until {@link #extensionIds(int[])}. */
  int[] extensionIds() {
    return extensionIds;
  }

  /** Maps a source payload type to the subscriber's, from its SDP; {@code outgoing} -1 removes the mapping. */
  public void mapPayloadType(int source, int outgoing) {
    if (outgoing < -1 || outgoing > 127) {
      throw new IllegalArgumentException("payload type " + outgoing);
    }
    payloadTypes[source & 0x7F] = outgoing;
  }

  /** The subscriber's RTX payload type for its payload type {@code outgoing}, -1 when it has none (no RTX). */
  public int rtxPayloadType(int outgoing) {
    return rtxPayloadTypes[outgoing & 0x7F];
  }

  /** The subscriber's SDP has RTX payload type {@code rtx} for its {@code outgoing} one; {@code rtx} -1 removes it. */
  public void mapRtxPayloadType(int outgoing, int rtx) {
    if (rtx < -1 || rtx > 127) {
      throw new IllegalArgumentException("payload type " + rtx);
    }
    rtxPayloadTypes[outgoing & 0x7F] = rtx;
  }

  /** Counts a packet sent to the subscriber, by its payload size (sender reports count payload octets). */
  public void sent(int payloadOctets) {
    packetsSent++;
    octetsSent += payloadOctets;
  }

  /** The sequence number of the next RTX packet to this subscriber (RTX has its own numbering, RFC 4588 §4). */
  public int nextRtxSeq() {
    int seq = rtxSeq;
    rtxSeq = (rtxSeq + 1) & 0xFFFF;
    retransmissions++;
    return seq;
  }

  public long packetsSent() {
    return packetsSent;
  }

  public long octetsSent() {
    return octetsSent;
  }

  public long retransmissions() {
    return retransmissions;
  }

  /** Paused: the forwarder {@link StreamRewriter#skip skips} its packets (the subscriber muted or hid it). */
  public boolean paused() {
    return paused;
  }

  public void paused(boolean paused) {
    if (this.paused && !paused && track.isVideo()) {
      awaitingKeyframe = true; // resuming video needs a keyframe to decode
    }
    this.paused = paused;
  }

  /** Video not started (or restarted) yet: packets are skipped until a keyframe begins. */
  public boolean awaitingKeyframe() {
    return awaitingKeyframe;
  }

  public void awaitingKeyframe(boolean awaiting) {
    this.awaitingKeyframe = awaiting;
  }

  /** The subscriber's own bandwidth estimate (its REMB), -1 when unknown. */
  public long subscriberEstimateBps() {
    return subscriberEstimateBps;
  }

  public void subscriberEstimateBps(long bps) {
    this.subscriberEstimateBps = bps;
  }

  @Override
  public String toString() {
    return "Downstream[" + subscriberId + " <- " + track.id() + " as " + Integer.toUnsignedString(outSsrc) + "]";
  }
}

package dev.switchboard.media.forward;

import dev.switchboard.media.rtp.ExtensionValues;
import dev.switchboard.media.rtp.RtpPacket;
import dev.switchboard.media.rtp.Rtx;

import java.util.HashMap;
import java.util.Map;

/**
 * The forwarding step of one room on the packet thread: an unprotected RTP packet from a publisher goes, rewritten,
 * to every subscriber of its track; a subscriber's NACK is answered from the publisher's cache. What leaves here is
 * still plain RTP: {@link Egress} protects it for the subscriber and sends it.
 *
 * <p>Per publisher stream ({@link SourceStream}) the packets are counted for receiver reports, gaps are tracked for
 * upstream NACKs and kept in a cache for subscribers' NACKs. Per subscriber, a video stream waits for a keyframe
 * before it forwards anything (a decoder cannot start on a delta frame), and packets it does not forward take no
 * sequence number, so the subscriber sees no gap. No allocation per packet: one reusable output buffer.
 *
 * <p>Retransmissions both ways are RTX (RFC 4588) where negotiated. A publisher answers the node's NACKs on its
 * RTX SSRC: the packet is unwrapped (original SSRC, payload type and sequence number) and goes the way of any
 * late packet, its number reserved by each subscriber's {@link StreamRewriter}. A subscriber's NACK is answered on
 * its RTX SSRC with its own RTX numbering when its SDP has RTX for the codec, else by sending the packet again
 * under its original number.
 */
public final class PacketForwarder {
  /** Where a rewritten packet goes: the subscriber's SRTP session and selected address. */
  @FunctionalInterface
  public interface Egress {
    /**
     * @param buf holds the packet at {@code off}; at least {@link #TAIL_ROOM} bytes after it are free for the SRTP tag
     * @return false when the subscriber cannot take it now (no keys yet, no address): counted, not retried
     */
    boolean send(String subscriberId, byte[] buf, int off, int len);

    /**
     * Whether the subscriber can take packets now (keys and an address). Packets it cannot take are skipped, not
     * numbered, and a video stream keeps waiting for a keyframe: one sent into the void would leave its decoder
     * with nothing to start from.
     */
    default boolean ready(String subscriberId) {
      return true;
    }
  }

  /** Room after a packet in the output buffer for the SRTP auth tag (and SRTCP index). */
  public static final int TAIL_ROOM = 64;
  private static final int MAX_PACKET = 1500;

  private final RoomMedia room;
  private final Egress egress;
  private final Map<Integer, SourceStream> sources = new HashMap<>();
  private final RtpPacket in = new RtpPacket();
  private final RtpPacket out = new RtpPacket();
  private final byte[] outBuffer = new byte[MAX_PACKET + TAIL_ROOM];
  private final byte[] rtxBuffer = new byte[MAX_PACKET + TAIL_ROOM];
  private final Map<Integer, SourceStream> rtxSources = new HashMap<>();
  private final Map<String, TransportFeedback> transportFeedback = new HashMap<>();
  private final MediaCounters counters;
  private long unknownSource;
  private long notDelivered;
  private long rtxPadding;

  public PacketForwarder(RoomMedia room, Egress egress) {
    this(room, egress, new MediaCounters());
  }

  /** @param counters the node's media counters (shared by its rooms), bumped on the packet thread */
  public PacketForwarder(RoomMedia room, Egress egress, MediaCounters counters) {
    this.room = room;
    this.egress = egress;
    this.counters = counters;
  }

  /** A publisher's stream starts: its cache, loss tracking and keyframe detection. */
  public SourceStream addSource(Track track, KeyframeDetector detector) {
    SourceStream source = new SourceStream(track, detector);
    sources.put(track.ssrc(), source);
    if (track.hasRtx()) {
      rtxSources.put(track.rtxSsrc(), source);
    }
    return source;
  }

  public void removeSource(int ssrc) {
    SourceStream source = sources.remove(ssrc);
    if (source != null && source.track().hasRtx()) {
      rtxSources.remove(source.track().rtxSsrc());
    }
  }

  public SourceStream source(int ssrc) {
    return sources.get(ssrc);
  }

  /**
   * An unprotected RTP packet from participant {@code from}; returns how many subscribers it was sent to. Only a
   * track's owner feeds it: a participant sending with another's SSRC is ignored.
   */
  public int onRtp(String from, byte[] buf, int off, int len, long now) {
    counters.packetIn(len);
    if (len > MAX_PACKET || !in.wrap(buf, off, len)) {
      return 0;
    }
    SourceStream source = sources.get(in.ssrc());
    if (source == null) {
      SourceStream retransmitted = rtxSources.get(in.ssrc());
      if (retransmitted != null && retransmitted.track().ownerId().equals(from)) {
        arrived(retransmitted, now);
        return onRtx(retransmitted, now);
      }
    }
    if (source == null || !source.track().ownerId().equals(from)) {
      unknownSource++;
      return 0;
    }
    arrived(source, now);
    return forward(source, buf, off, len, now, false);
  }

  /** The packet in {@link #in}'s transport-wide number, for the publisher's transport-cc feedback. */
  private void arrived(SourceStream source, long now) {
    int id = source.transportCcId();
    if (id > 0) {
      int seq = ExtensionValues.transportCcSequence(in, id);
      if (seq >= 0) {
        transportFeedback.computeIfAbsent(source.track().ownerId(), owner -> new TransportFeedback())
            .received(seq, now);
      }
    }
  }

  /** The transport-cc feedback state of a publisher, null before its first numbered packet. */
  public TransportFeedback transportFeedback(String publisherId) {
    return transportFeedback.get(publisherId);
  }

  /** A participant left: its transport-cc state goes with it. */
  public void participantLeft(String participantId) {
    transportFeedback.remove(participantId);
  }

  /**
   * A packet on the publisher's RTX SSRC ({@link #in}): the original it carries goes on like a late packet. RTX
   * packets of padding only (the publisher probing for bandwidth) carry nothing to forward.
   */
  private int onRtx(SourceStream source, long now) {
    int mediaPayloadType = source.mediaPayloadTypeOfRtx(in.payloadType());
    if (in.payloadLength() < Rtx.OSN_LENGTH || mediaPayloadType < 0) {
      rtxPadding++;
      return 0;
    }
    int len = Rtx.restore(in, rtxBuffer, 0, source.track().ssrc(), mediaPayloadType);
    if (len < 0 || !in.wrap(rtxBuffer, 0, len)) {
      return 0;
    }
    counters.retransmissionReceived();
    return forward(source, rtxBuffer, 0, len, now, true);
  }

  /** The packet in {@link #in} (at {@code buf[off]}) of {@code source}, to every subscriber of it. */
  private int forward(SourceStream source, byte[] buf, int off, int len, long now, boolean retransmission) {
    int ssrc = in.ssrc();
    int seq = in.sequenceNumber();
    long timestamp = in.timestamp() & 0xFFFF_FFFFL;
    boolean keyframe = source.received(in, buf, off, len, now, retransmission);
    int sent = 0;
    for (Downstream downstream : room.downstreams(ssrc)) {
      int payloadType = downstream.payloadType(in.payloadType());
      if (downstream.paused() || payloadType < 0 || (downstream.awaitingKeyframe() && !keyframe)
          || !egress.ready(downstream.subscriberId())) {
        downstream.rewriter().skip(ssrc, seq, now);
        continue;
      }
      int outSeq = downstream.rewriter().forward(ssrc, seq, timestamp, now);
      if (outSeq == StreamRewriter.DROP) {
        continue;
      }
      downstream.awaitingKeyframe(false);
      if (send(downstream, source, buf, off, len, outSeq, downstream.rewriter().timestamp(timestamp), payloadType)) {
        downstream.sent(in.payloadLength());
        sent++;
      }
    }
    return sent;
  }

  /**
   * A subscriber's NACK for its outgoing sequence numbers: each one that still maps to a cached source packet is
   * sent again, as RTX on the subscriber's RTX SSRC when it negotiated RTX for the codec, else as it was.
   *
   * @return how many packets were sent again
   */
  public int onNack(String subscriberId, int outgoingSsrc, int[] lostSequenceNumbers, int count, long now) {
    counters.nackReceived();
    Downstream downstream = room.downstream(subscriberId, outgoingSsrc);
    if (downstream == null) {
      return 0;
    }
    int resent = 0;
    byte[] scratch = outBuffer;
    for (int i = 0; i < count; i++) {
      long origin = downstream.rewriter().toSource(lostSequenceNumbers[i]);
      if (origin < 0) {
        continue;
      }
      SourceStream source = sources.get(StreamRewriter.ssrcOf(origin));
      if (source == null) {
        continue;
      }
      int len = source.cache().copy(StreamRewriter.seqOf(origin), now, scratch, 0);
      if (len < 0 || !out.wrap(scratch, 0, len)) {
        continue;
      }
      int payloadType = downstream.payloadType(out.payloadType());
      if (payloadType < 0) {
        continue;
      }
      long timestamp = downstream.rewriter().timestamp(out.timestamp() & 0xFFFF_FFFFL);
      int[] ids = downstream.extensionIds() != null ? downstream.extensionIds() : source.extensionIds();
      if (ids != null && out.hasExtension()) {
        out.rewriteExtensionIds(ids);
      }
      out.setSsrc(downstream.outgoingSsrc());
      out.setSequenceNumber(lostSequenceNumbers[i]);
      out.setTimestamp((int) timestamp);
      out.setPayloadType(payloadType);
      if (resend(downstream, scratch, len, payloadType)) {
        resent++;
      } else {
        notDelivered++;
      }
    }
    return resent;
  }

  /** The rewritten packet in {@link #out} again, wrapped in RTX when the subscriber has RTX for its payload type. */
  private boolean resend(Downstream downstream, byte[] packet, int len, int payloadType) {
    int rtxPayloadType = downstream.rtxPayloadType(payloadType);
    byte[] buf = packet;
    int length = len;
    if (downstream.outgoingRtxSsrc() != 0 && rtxPayloadType >= 0) {
      length = Rtx.write(out, rtxBuffer, 0, downstream.outgoingRtxSsrc(), rtxPayloadType, downstream.nextRtxSeq());
      if (length < 0 || length > MAX_PACKET) {
        return false;
      }
      buf = rtxBuffer;
    }
    if (!egress.send(downstream.subscriberId(), buf, 0, length)) {
      counters.packetNotReady();
      return false;
    }
    counters.packetOut(length);
    counters.retransmissionSent();
    return true;
  }

  private boolean send(Downstream downstream, SourceStream source, byte[] buf, int off, int len, int outSeq,
      long timestamp, int payloadType) {
    System.arraycopy(buf, off, outBuffer, 0, len);
    out.wrap(outBuffer, 0, len);
    int[] ids = downstream.extensionIds() != null ? downstream.extensionIds() : source.extensionIds();
    if (ids != null && out.hasExtension()) {
      out.rewriteExtensionIds(ids);
    }
    out.setSsrc(downstream.outgoingSsrc());
    out.setSequenceNumber(outSeq);
    out.setTimestamp((int) timestamp);
    out.setPayloadType(payloadType);
    if (egress.send(downstream.subscriberId(), outBuffer, 0, len)) {
      counters.packetOut(len);
      return true;
    }
    counters.packetNotReady();
    notDelivered++;
    return false;
  }

  /** Whether a subscriber that can take packets now still waits for a keyframe of this source to start. */
  public boolean awaitingKeyframe(int ssrc) {
    for (Downstream downstream : room.downstreams(ssrc)) {
      if (!downstream.paused() && downstream.awaitingKeyframe() && egress.ready(downstream.subscriberId())) {
        return true;
      }
    }
    return false;
  }

  /** Packets whose SSRC no published track has. */
  public long unknownSource() {
    return unknownSource;
  }

  /** Packets on a publisher's RTX SSRC that carried no retransmission (bandwidth probes of padding). */
  public long rtxPadding() {
    return rtxPadding;
  }

  /** Packets the egress could not take (a subscriber without keys or address yet). */
  public long notDelivered() {
    return notDelivered;
  }
}

package dev.switchboard.media.forward;

import dev.switchboard.media.rtp.Feedback;
import dev.switchboard.media.rtp.Nack;
import dev.switchboard.media.rtp.Pli;
import dev.switchboard.media.rtp.ReceiverReport;
import dev.switchboard.media.rtp.ReportBlock;
import dev.switchboard.media.rtp.Remb;
import dev.switchboard.media.rtp.RtcpCompound;
import dev.switchboard.media.rtp.RtcpHeader;
import dev.switchboard.media.rtp.SenderReport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's end of RTCP in one room (it terminates RTCP: nothing a participant sends is passed through as it is).
 * From a subscriber: PLI and FIR become one throttled keyframe request to the publisher of that stream, NACKs are
 * answered from the cache by the {@link PacketForwarder}, REMB caps what the node asks of the publisher. From a
 * publisher: sender reports feed its receiver reports (LSR/DLSR). Upstream, {@link #tick} sends the NACKs for
 * missing packets and the keyframe requests that are due.
 */
public final class RtcpFeedback {
  /** An unprotected RTCP packet for a participant: its SRTCP session protects it and sends it. */
  @FunctionalInterface
  public interface Egress {
    /** @param buf holds the packet at {@code off} with at least {@link PacketForwarder#TAIL_ROOM} bytes free after it */
    boolean send(String participantId, byte[] buf, int off, int len);
  }

  /** The SSRC the node signs its own feedback with (RFC 4585 lets a receiver without media use any). */
  public static final int NODE_SSRC = 1;
  private static final int MAX_NACKS_PER_TICK = 64;

  private final RoomMedia room;
  private final PacketForwarder forwarder;
  private final Egress egress;
  private final RtcpCompound compound = new RtcpCompound();
  private final byte[] out = new byte[1200 + PacketForwarder.TAIL_ROOM];
  private final int[] lost = new int[MAX_NACKS_PER_TICK];
  private final Map<String, BandwidthFeedback> bandwidth = new HashMap<>();
  private final MediaCounters counters;
  private long keyframeRequestsSent;
  private long nacksSent;

  public RtcpFeedback(RoomMedia room, PacketForwarder forwarder, Egress egress) {
    this(room, forwarder, egress, new MediaCounters());
  }

  /** @param counters the node's media counters (shared by its rooms), bumped on the packet thread */
  public RtcpFeedback(RoomMedia room, PacketForwarder forwarder, Egress egress, MediaCounters counters) {
    this.room = room;
    this.forwarder = forwarder;
    this.egress = egress;
    this.counters = counters;
  }

  /** An unprotected compound RTCP datagram from a participant, as subscriber of some streams and publisher of others. */
  public void onRtcp(String participantId, byte[] buf, int off, int len, long now) {
    compound.reset(buf, off, len);
    while (compound.next()) {
      int at = compound.offset();
      int length = compound.length();
      int type = compound.type();
      if (type == RtcpHeader.PSFB && (compound.count() == RtcpHeader.FMT_PLI || compound.count() == RtcpHeader.FMT_FIR)) {
        keyframeWanted(participantId, Feedback.mediaSsrc(buf, at), compound.count() == RtcpHeader.FMT_FIR, buf, at,
            length, now);
      } else if (type == RtcpHeader.PSFB && compound.count() == RtcpHeader.FMT_AFB) {
        Remb remb = Remb.read(buf, at, length);
        if (remb != null) {
          for (int ssrc : remb.ssrcs()) {
            Downstream downstream = room.downstream(participantId, ssrc);
            if (downstream != null) {
              downstream.subscriberEstimateBps(remb.bitrate());
            }
          }
        }
      } else if (type == RtcpHeader.RTPFB && compound.count() == RtcpHeader.FMT_NACK && Nack.is(buf, at, length)) {
        int[] seqs = Nack.lostSequenceNumbers(buf, at, length);
        forwarder.onNack(participantId, Feedback.mediaSsrc(buf, at), seqs, seqs.length, now);
      } else if (type == RtcpHeader.SR) {
        SenderReport report = SenderReport.read(buf, at, length);
        SourceStream source = report == null ? null : forwarder.source(report.ssrc());
        if (source != null && source.track().ownerId().equals(participantId)) {
          source.stats().senderReport(report.ntpTimestamp(), now);
          source.senderReport(new SenderInfo(report.ssrc(), report.ntpTimestamp(),
              report.rtpTimestamp() & 0xFFFF_FFFFL, report.packetCount() & 0xFFFF_FFFFL,
              report.octetCount() & 0xFFFF_FFFFL));
        }
      }
    }
  }

  /** PLI/FIR for one of the subscriber's outgoing streams: FIR names its streams in its entries (RFC 5104 §4.3.1). */
  private void keyframeWanted(String subscriberId, int mediaSsrc, boolean fir, byte[] buf, int at, int length,
      long now) {
    counters.keyframeRequestReceived();
    if (!fir) {
      keyframeFor(room.downstream(subscriberId, mediaSsrc), now);
      return;
    }
    dev.switchboard.media.rtp.Fir request = dev.switchboard.media.rtp.Fir.read(buf, at, length);
    List<dev.switchboard.media.rtp.Fir.Entry> entries = request == null ? List.of() : request.entries();
    for (dev.switchboard.media.rtp.Fir.Entry entry : entries) {
      keyframeFor(room.downstream(subscriberId, entry.ssrc()), now);
    }
  }

  private void keyframeFor(Downstream downstream, long now) {
    if (downstream == null) {
      return;
    }
    SourceStream source = forwarder.source(downstream.track().ssrc());
    if (source != null && source.keyframes().request(now)) {
      sendPli(source);
    }
  }

  /** A new subscriber of a video stream needs a keyframe to start: ask the publisher (throttled like any other). */
  public void subscriberAdded(Downstream downstream, long now) {
    if (downstream.track().isVideo()) {
      keyframeFor(downstream, now);
    }
  }

  /**
   * Upstream NACKs for missing packets, keyframe requests whose throttle window ended, a request made again while
   * a subscriber that can take packets still waits for its keyframe, and transport-cc feedback that is due.
   */
  public void tick(long now) {
    for (String participant : room.participants()) {
      TransportFeedback feedback = forwarder.transportFeedback(participant);
      if (feedback != null && feedback.due(now)) {
        List<Track> published = room.tracksOf(participant);
        int mediaSsrc = published.isEmpty() ? 0 : published.get(0).ssrc();
        int len = feedback.write(out, 0, NODE_SSRC, mediaSsrc, now);
        if (len > 0) {
          egress.send(participant, out, 0, len);
        }
      }
    }
    for (Track track : room.tracks()) {
      SourceStream source = forwarder.source(track.ssrc());
      if (source == null) {
        continue;
      }
      int missing = source.nacks().pending(now, lost);
      if (missing > 0) {
        int len = Nack.write(out, 0, NODE_SSRC, track.ssrc(), lost, 0, missing);
        if (len > 0 && egress.send(track.ownerId(), out, 0, len)) {
          nacksSent++;
          counters.nackSent();
        }
      }
      boolean giveUpOnLoss = source.nacks().takeKeyframeRequest() && source.keyframes().request(now);
      if (giveUpOnLoss || source.keyframes().poll(now)
          || (track.isVideo() && forwarder.awaitingKeyframe(track.ssrc()) && source.keyframes().stillWaiting(now))) {
        sendPli(source);
      }
    }
  }

  /**
   * The periodic reports (every second or so, RFC 3550 §6.2 allows that at these rates): to each publisher a
   * receiver report of its streams, and a REMB whose value follows the loss in those reports, so its encoder
   * ramps up on a clean path (without any feedback Chrome stays near its start bitrate); to each subscriber a
   * sender report per stream it receives, for lip sync.
   */
  public void reports(long now) {
    for (String participant : room.participants()) {
      List<Track> published = room.tracksOf(participant);
      List<ReportBlock> blocks = new ArrayList<>(published.size());
      List<Integer> videoSsrcs = new ArrayList<>(2);
      for (Track track : published) {
        SourceStream source = forwarder.source(track.ssrc());
        ReportBlock block = source == null ? null : source.stats().report(now);
        if (block == null) {
          continue;
        }
        blocks.add(block);
        if (track.isVideo()) {
          videoSsrcs.add(track.ssrc());
          bandwidth(participant).lossReported(block.fractionLost(), now);
        }
      }
      int len = 0;
      if (!blocks.isEmpty()) {
        len = new ReceiverReport(NODE_SSRC, blocks).write(out, 0);
      }
      long bitrate = videoSsrcs.isEmpty() ? -1
          : forwarder.transportFeedback(participant) != null ? ceiling(videoSsrcs) : bandwidth(participant).poll(now);
      if (bitrate > 0 && len >= 0) {
        int remb = new Remb(NODE_SSRC, bitrate, videoSsrcs).write(out, len);
        len = remb < 0 ? len : len + remb;
      }
      if (len > 0) {
        egress.send(participant, out, 0, len);
      }
      senderReportsTo(participant);
    }
  }

  /**
   * The REMB for a publisher that gets transport-cc feedback: its own controller estimates from that feedback, so
   * the node only states the cap (the configured maximum, or a subscriber's lower estimate). Ramping the REMB
   * from 300 kbps as well held Chrome's target to that slow ramp (SfuMediaQualityInNamespaceTest).
   */
  private long ceiling(List<Integer> videoSsrcs) {
    long cap = BandwidthFeedback.DEFAULT_MAX_VIDEO_BPS;
    for (int ssrc : videoSsrcs) {
      long lowest = room.lowestSubscriberEstimate(ssrc);
      if (lowest > 0) {
        cap = Math.min(cap, Math.max(BandwidthFeedback.DEFAULT_MIN_BPS, lowest));
      }
    }
    return cap;
  }

  private void senderReportsTo(String subscriber) {
    int len = 0;
    for (Downstream downstream : room.subscriptions(subscriber)) {
      SourceStream source = forwarder.source(downstream.track().ssrc());
      SenderInfo publisher = source == null ? null : source.lastSenderReport();
      SenderInfo translated = publisher == null ? null : SenderReportTranslator.translate(publisher, downstream);
      if (translated == null || len + SenderReport.MIN_LENGTH > out.length - PacketForwarder.TAIL_ROOM) {
        continue;
      }
      len += new SenderReport(translated.ssrc(), translated.ntp(), (int) translated.rtpTimestamp(),
          (int) translated.packetCount(), (int) translated.octetCount(), List.of()).write(out, len);
    }
    if (len > 0) {
      egress.send(subscriber, out, 0, len);
    }
  }

  private BandwidthFeedback bandwidth(String publisher) {
    return bandwidth.computeIfAbsent(publisher, p -> new BandwidthFeedback());
  }

  /** A participant left: its bandwidth state goes with it. */
  public void participantLeft(String participantId) {
    bandwidth.remove(participantId);
    forwarder.participantLeft(participantId);
  }

  private void sendPli(SourceStream source) {
    int len = Pli.write(out, 0, NODE_SSRC, source.track().ssrc());
    if (egress.send(source.track().ownerId(), out, 0, len)) {
      keyframeRequestsSent++;
      counters.pliSent();
    }
  }

  public long keyframeRequestsSent() {
    return keyframeRequestsSent;
  }

  public long nacksSent() {
    return nacksSent;
  }
}

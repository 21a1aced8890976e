package dev.switchboard.media.forward;

import dev.switchboard.media.rtp.RtpPacket;

/**
 * What the node keeps of one publisher stream: the last second or so of packets for subscribers' NACKs, the
 * reception statistics for its receiver reports, the gaps it NACKs upstream, and the keyframe requests it owes the
 * publisher. Packet thread only.
 */
public final class SourceStream {
  private static final int CACHE_PACKETS = 1024;
  private static final int CACHE_PACKET_BYTES = 1500;
  private static final long CACHE_AGE_NANOS = 2_000_000_000L;

  private final Track track;
  private final KeyframeDetector detector;
  private final PacketCache cache;
  private final ReceiverStats stats;
  private final NackGenerator nacks = new NackGenerator();
  private final KeyframeRequests keyframes = new KeyframeRequests();
  private SenderInfo lastSenderReport;
  /** The publisher's header-extension ids as subscribers get them; null: left as they are. */
  private int[] extensionIds;
  /** RTX payload type → the payload type it retransmits (a=fmtp apt=), -1 for none. */
  private final int[] mediaPayloadTypeOfRtx = new int[128];
  private long retransmissionsReceived;
  /** The publisher's id for the transport-wide sequence number extension, 0 when it did not negotiate it. */
  private int transportCcId;

  SourceStream(Track track, KeyframeDetector detector) {
    this.track = track;
    this.detector = detector;
    // audio needs no cache: Opus conceals loss better than a late retransmission would help
    this.cache = new PacketCache(track.isVideo() ? CACHE_PACKETS : 16, CACHE_PACKET_BYTES, CACHE_AGE_NANOS);
    this.stats = new ReceiverStats(track.ssrc(), track.clockRate());
    java.util.Arrays.fill(mediaPayloadTypeOfRtx, -1);
  }

  /**
   * Records a packet; returns whether it starts a keyframe. A retransmission (unwrapped from the publisher's RTX
   * stream) fills its gap for NACKs and the cache but is not counted in the receiver report: as libwebrtc does,
   * the report states the loss before retransmission, which is what the publisher's rate control reacts to.
   */
  boolean received(RtpPacket packet, byte[] buf, int off, int len, long now, boolean retransmission) {
    int seq = packet.sequenceNumber();
    if (retransmission) {
      retransmissionsReceived++;
    } else {
      stats.received(seq, packet.timestamp() & 0xFFFF_FFFFL, now);
    }
    if (track.isVideo()) {
      nacks.received(seq, now);
      cache.put(seq, buf, off, len, now);
    }
    boolean keyframe = detector.isKeyframe(buf, packet.payloadOffset(), packet.payloadLength());
    if (keyframe && track.isVideo()) {
      keyframes.keyframeReceived();
      nacks.keyframe(seq);
    }
    return keyframe;
  }

  /**
   * How this stream's header-extension ids are rewritten for subscribers: {@code map[publisherId]} is the id a
   * subscriber gets, 0 removes the element (its bytes become padding). The publisher's mid must go: a subscriber
   * that sees a packet carrying mid "0" binds its SSRC to its own section "0" before the node's offer names the
   * SSRC's real section, and then refuses that offer (Chromium: "Failed to apply demuxer criteria").
   */
  public void extensionIds(int[] map) {
    this.extensionIds = map == null ? null : map.clone();
  }

  int[] extensionIds() {
    return extensionIds;
  }

  /** The publisher's RTX payload type {@code rtx} retransmits its payload type {@code media} (its SDP's apt). */
  public void rtxPayloadType(int rtx, int media) {
    if (rtx < 0 || rtx > 127 || media < 0 || media > 127) {
      throw new IllegalArgumentException("payload types " + rtx + " apt=" + media);
    }
    mediaPayloadTypeOfRtx[rtx] = media;
  }

  /** The payload type an RTX packet of payload type {@code rtx} retransmits, -1 when it is no RTX type of ours. */
  int mediaPayloadTypeOfRtx(int rtx) {
    return mediaPayloadTypeOfRtx[rtx & 0x7F];
  }

  /** The publisher numbers its packets for transport-cc under extension id {@code id} (its a=extmap); 0: none. */
  public void transportCcId(int id) {
    if (id < 0 || id > 255) {
      throw new IllegalArgumentException("extension id " + id);
    }
    this.transportCcId = id;
  }

  int transportCcId() {
    return transportCcId;
  }

  /** Packets recovered from the publisher's RTX stream. */
  public long retransmissionsReceived() {
    return retransmissionsReceived;
  }

  /** The publisher's latest sender report of this stream, translated for each subscriber (lip sync). */
  void senderReport(SenderInfo report) {
    lastSenderReport = report;
  }

  /** Null before the publisher's first sender report. */
  public SenderInfo lastSenderReport() {
    return lastSenderReport;
  }

  public Track track() {
    return track;
  }

  public PacketCache cache() {
    return cache;
  }

  public ReceiverStats stats() {
    return stats;
  }

  public NackGenerator nacks() {
    return nacks;
  }

  public KeyframeRequests keyframes() {
    return keyframes;
  }
}

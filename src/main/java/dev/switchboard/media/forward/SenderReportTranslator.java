package dev.switchboard.media.forward;

/**
 * The sender report a subscriber gets for a rewritten stream, made from the publisher's. The subscriber needs the
 * NTP↔RTP pair to synchronise the publisher's audio with its video (lip sync), so the pair keeps the publisher's NTP
 * and carries the RTP timestamp through the same offset as the stream's packets. Both numbers come from the
 * publisher's clock at one instant, so forwarding the report later changes nothing. The counts are what the node sent
 * to this subscriber, not what the publisher sent: the subscriber compares them with what it received.
 */
public final class SenderReportTranslator {
  private SenderReportTranslator() {
  }

  /**
   * The report for {@code downstream}, or null when it is not to be sent: the report's SSRC is not the one feeding
   * the stream now (before its first packet, or an old source after a switch), or nothing was sent yet.
   */
  public static SenderInfo translate(SenderInfo publisher, Downstream downstream) {
    StreamRewriter rewriter = downstream.rewriter();
    long rtp = rewriter.timestamp(publisher.ssrc(), publisher.rtpTimestamp());
    if (rtp < 0 || downstream.packetsSent() == 0) {
      return null;
    }
    return new SenderInfo(downstream.outgoingSsrc(), publisher.ntp(), rtp,
        downstream.packetsSent() & Seq.TS_MASK, downstream.octetsSent() & Seq.TS_MASK);
  }
}

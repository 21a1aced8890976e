/**
 * Who forwards what to whom, and the per-stream logic of an SFU leg: pure logic, no I/O, owned by the media node's
 * packet thread (no locks), time passed in as {@code now} (monotonic nanoseconds) so specs run on a fake clock.
 *
 * <p>Numbers, not packets: the RTP/RTCP codecs live in {@code media.rtp}; this package works on SSRCs ({@code int}
 * holding the wire's 32 bits), sequence numbers ({@code int} 0-65535), RTP timestamps and NTP values ({@code long}
 * holding the unsigned bits), see {@link dev.switchboard.media.forward.Seq}.
 *
 * <p>Per publisher stream: {@link dev.switchboard.media.forward.PacketCache} (answers NACKs),
 * {@link dev.switchboard.media.forward.NackGenerator} (asks for what did not arrive),
 * {@link dev.switchboard.media.forward.ReceiverStats} (the node's receiver reports),
 * {@link dev.switchboard.media.forward.KeyframeRequests} (PLI/FIR coalescing) and
 * {@link dev.switchboard.media.forward.BandwidthFeedback} (REMB). Per subscriber stream:
 * {@link dev.switchboard.media.forward.Downstream} with its {@link dev.switchboard.media.forward.StreamRewriter},
 * {@link dev.switchboard.media.forward.SenderReportTranslator} for its sender reports. Per peer:
 * {@link dev.switchboard.media.forward.RttEstimator}. Routing: {@link dev.switchboard.media.forward.Router},
 * {@link dev.switchboard.media.forward.RoomMedia}, {@link dev.switchboard.media.forward.Track}.
 *
 * <p>Nothing on the forwarding path allocates: a packet is one {@code RoomMedia.downstreams(ssrc)} lookup, then per
 * subscriber {@code StreamRewriter.forward/skip} and {@code timestamp}, {@code Downstream.payloadType} and
 * {@code sent}; the specs measure it.
 */
package dev.switchboard.media.forward;

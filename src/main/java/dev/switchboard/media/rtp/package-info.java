/**
 * RTP and RTCP on the media node's packet path, pure Java over {@code byte[]}, offset and length.
 *
 * <p>RTP: {@link dev.switchboard.media.rtp.RtpPacket} is a reusable view that validates and rewrites a header in
 * place; {@link dev.switchboard.media.rtp.HeaderExtensions} finds and renumbers RFC 8285 elements,
 * {@link dev.switchboard.media.rtp.ExtensionValues} reads and stamps the values the node uses (transport-cc,
 * abs-send-time, audio level, mid/rid), {@link dev.switchboard.media.rtp.RtpCopy} makes a subscriber's copy with a
 * re-encoded extension, {@link dev.switchboard.media.rtp.Rtx} writes and restores RFC 4588 retransmissions, and
 * {@link dev.switchboard.media.rtp.Vp8} and {@link dev.switchboard.media.rtp.H264} tell keyframes.
 *
 * <p>RTCP: {@link dev.switchboard.media.rtp.RtcpCompound} iterates a datagram's packets; each packet type has a
 * reader that returns null for anything malformed and a writer into a caller's buffer that returns the length
 * (-1 when it does not fit): {@link dev.switchboard.media.rtp.SenderReport},
 * {@link dev.switchboard.media.rtp.ReceiverReport} with {@link dev.switchboard.media.rtp.ReportBlock},
 * {@link dev.switchboard.media.rtp.Sdes}, {@link dev.switchboard.media.rtp.Bye}, {@link dev.switchboard.media.rtp.Pli},
 * {@link dev.switchboard.media.rtp.Fir}, {@link dev.switchboard.media.rtp.Nack}, {@link dev.switchboard.media.rtp.Remb},
 * {@link dev.switchboard.media.rtp.TransportCcBuilder} and {@link dev.switchboard.media.rtp.TransportCcFeedback};
 * {@link dev.switchboard.media.rtp.Feedback} rewrites feedback SSRCs in place. Nothing here throws on what came off
 * the wire. RTP views and builders allocate nothing per packet; RTCP readers return small records, RTCP being a few
 * packets a second per stream.
 */
package dev.switchboard.media.rtp;

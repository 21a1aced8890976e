package dev.switchboard.media.forward;

/**
 * The sender information of an RTCP sender report (RFC 3550 §6.4.1), as read from a publisher or written to a
 * subscriber.
 *
 * @param ssrc the sender's SSRC
 * @param ntp the 64-bit NTP timestamp (wallclock of the sender), unsigned bits
 * @param rtpTimestamp the RTP timestamp of the same instant, unsigned 32 bits
 * @param packetCount packets sent, unsigned 32 bits
 * @param octetCount payload octets sent, unsigned 32 bits
 */
public record SenderInfo(int ssrc, long ntp, long rtpTimestamp, long packetCount, long octetCount) {
}

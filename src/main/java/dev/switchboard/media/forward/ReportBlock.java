package dev.switchboard.media.forward;

/**
 * One RTCP reception report block (RFC 3550 §6.4.1) as the RTCP writer serialises it.
 *
 * @param ssrc the source reported on
 * @param fractionLost lost since the previous report, in 1/256 (0-255)
 * @param cumulativeLost packets lost since the start, a 24-bit signed value (duplicates can make it negative)
 * @param extHighestSeq cycles × 65536 + the highest sequence number received, unsigned 32 bits
 * @param jitter interarrival jitter in RTP timestamp units, unsigned 32 bits
 * @param lsr the middle 32 bits of the NTP timestamp of the last sender report received, 0 if none
 * @param dlsr the delay since that sender report in 1/65536 s, 0 if none
 */
public record ReportBlock(int ssrc, int fractionLost, int cumulativeLost, long extHighestSeq, long jitter, long lsr, long dlsr) {
}

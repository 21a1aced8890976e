package dev.switchboard.media.rtp;

import java.util.List;

/**
 * A sender report (RFC 3550 §6.4.1): the sender's SSRC, its sender info (the NTP and RTP timestamps of one instant,
 * which is how a receiver maps RTP time to wall-clock time for lip sync, and the packet and octet counts) and up
 * to 31 report blocks about what it received. Profile-specific extensions after the blocks are ignored.
 */
public record SenderReport(int ssrc, long ntpTimestamp, int rtpTimestamp, int packetCount, int octetCount,
    List<ReportBlock> reports) {
  public static final int MIN_LENGTH = 28;

  public SenderReport {
    reports = List.copyOf(reports);
    if (reports.size() > 31) {
      throw new IllegalArgumentException("at most 31 report blocks, got " + reports.size());
    }
  }

  /** The SR at {@code off} within {@code len} bytes, or null when it is not a well-formed one. */
  public static SenderReport read(byte[] b, int off, int len) {
    int content = RtcpHeader.contentLength(b, off, len, RtcpHeader.SR, -1);
    int count = content < 0 ? 0 : RtcpHeader.count(b, off);
    if (content < MIN_LENGTH + count * ReportBlock.LENGTH) {
      return null;
    }
    List<ReportBlock> reports = ReportBlock.readAll(b, off + MIN_LENGTH, count);
    return new SenderReport(Bytes.i32(b, off + 4), Bytes.i64(b, off + 8), Bytes.i32(b, off + 16),
        Bytes.i32(b, off + 20), Bytes.i32(b, off + 24), reports);
  }

  public int length() {
    return MIN_LENGTH + reports.size() * ReportBlock.LENGTH;
  }

  /** Writes the packet at {@code off} and returns its length, or -1 when it does not fit. */
  public int write(byte[] b, int off) {
    int length = length();
    if (off < 0 || length > b.length - off) {
      return -1;
    }
    RtcpHeader.write(b, off, reports.size(), RtcpHeader.SR, length);
    Bytes.put32(b, off + 4, ssrc);
    Bytes.put64(b, off + 8, ntpTimestamp);
    Bytes.put32(b, off + 16, rtpTimestamp);
    Bytes.put32(b, off + 20, packetCount);
    Bytes.put32(b, off + 24, octetCount);
    for (int i = 0; i < reports.size(); i++) {
      reports.get(i).write(b, off + MIN_LENGTH + i * ReportBlock.LENGTH);
    }
    return length;
  }
}

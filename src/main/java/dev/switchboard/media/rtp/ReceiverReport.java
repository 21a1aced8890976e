package dev.switchboard.media.rtp;

import java.util.List;

/**
 * A receiver report (RFC 3550 §6.4.2): the reporter's SSRC and up to 31 report blocks. With no blocks it is the
 * empty RR a compound packet starts with when there is nothing to report.
 */
public record ReceiverReport(int ssrc, List<ReportBlock> reports) {
  public static final int MIN_LENGTH = 8;

  public ReceiverReport {
    reports = List.copyOf(reports);
    if (reports.size() > 31) {
      throw new IllegalArgumentException("at most 31 report blocks, got " + reports.size());
    }
  }

  /** The RR at {@code off} within {@code len} bytes, or null when it is not a well-formed one. */
  public static ReceiverReport read(byte[] b, int off, int len) {
    int content = RtcpHeader.contentLength(b, off, len, RtcpHeader.RR, -1);
    int count = content < 0 ? 0 : RtcpHeader.count(b, off);
    if (content < MIN_LENGTH + count * ReportBlock.LENGTH) {
      return null;
    }
    List<ReportBlock> reports = ReportBlock.readAll(b, off + MIN_LENGTH, count);
    return new ReceiverReport(Bytes.i32(b, off + 4), reports);
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
    RtcpHeader.write(b, off, reports.size(), RtcpHeader.RR, length);
    Bytes.put32(b, off + 4, ssrc);
    for (int i = 0; i < reports.size(); i++) {
      reports.get(i).write(b, off + MIN_LENGTH + i * ReportBlock.LENGTH);
    }
    return length;
  }
}

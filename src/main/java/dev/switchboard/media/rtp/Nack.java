package dev.switchboard.media.rtp;

/**
 * Generic NACK (RFC 4585 §6.2.1): RTPFB with FMT 1, and FCI entries of 4 bytes each: a lost packet's sequence
 * number (PID) and a bitmask of the 16 following ones (BLP, bit i set: PID + i + 1 lost too). Sequence numbers
 * wrap at 2^16, so "following" is modulo 2^16 throughout.
 */
public final class Nack {
  public static final int ENTRY_LENGTH = 4;

  private Nack() {
  }

  public static boolean is(byte[] b, int off, int len) {
    return Feedback.is(b, off, len, RtcpHeader.RTPFB, RtcpHeader.FMT_NACK);
  }

  /**
   * Every sequence number the NACK at {@code off} reports lost, in the order its entries name them (a sequence
   * number named twice appears twice); null when the bytes are not a well-formed NACK.
   */
  public static int[] lostSequenceNumbers(byte[] b, int off, int len) {
    int content = RtcpHeader.contentLength(b, off, len, RtcpHeader.RTPFB, RtcpHeader.FMT_NACK);
    if (content < Feedback.FCI_OFFSET) {
      return null;
    }
    int end = off + Feedback.FCI_OFFSET + (content - Feedback.FCI_OFFSET) / ENTRY_LENGTH * ENTRY_LENGTH;
    int count = 0;
    for (int at = off + Feedback.FCI_OFFSET; at < end; at += ENTRY_LENGTH) {
      count += 1 + Integer.bitCount(Bytes.u16(b, at + 2));
    }
    int[] lost = new int[count];
    int n = 0;
    for (int at = off + Feedback.FCI_OFFSET; at < end; at += ENTRY_LENGTH) {
      int pid = Bytes.u16(b, at);
      int blp = Bytes.u16(b, at + 2);
      lost[n++] = pid;
      for (int bit = 0; bit < 16; bit++) {
        if ((blp & 1 << bit) != 0) {
          lost[n++] = pid + bit + 1 & 0xffff;
        }
      }
    }
    return lost;
  }

  /** How many FCI entries {@code count} lost sequence numbers in ascending order need: the size to plan for. */
  public static int entriesFor(int[] lost, int from, int count) {
    int entries = 0;
    int pid = -1;
    for (int i = from; i < from + count; i++) {
      int seq = lost[i] & 0xffff;
      int distance = pid < 0 ? 0 : seq - pid & 0xffff;
      if (pid < 0 || distance > 16) {
        pid = seq;
        entries++;
      }
    }
    return entries;
  }

  /**
   * Writes a NACK for {@code count} sequence numbers of {@code lost} from index {@code from}, which come in
   * ascending order modulo 2^16 (as a NACK generator's missing set does, across the wrap), and returns its
   * length; -1 when there are none or the packet does not fit. A repeated number is reported once; one that
   * lies behind its predecessor starts a new entry, so nothing given is ever left out.
   */
  public static int write(byte[] b, int off, int senderSsrc, int mediaSsrc, int[] lost, int from, int count) {
    if (count <= 0) {
      return -1;
    }
    int length = Feedback.FCI_OFFSET + ENTRY_LENGTH * entriesFor(lost, from, count);
    if (off < 0 || length > b.length - off) {
      return -1;
    }
    Feedback.writeHeader(b, off, RtcpHeader.RTPFB, RtcpHeader.FMT_NACK, length, senderSsrc, mediaSsrc);
    int at = off + Feedback.FCI_OFFSET - ENTRY_LENGTH;
    int pid = -1;
    int blp = 0;
    for (int i = from; i < from + count; i++) {
      int seq = lost[i] & 0xffff;
      int distance = pid < 0 ? 0 : seq - pid & 0xffff;
      if (pid >= 0 && distance == 0) {
        continue;
      }
      if (pid < 0 || distance > 16) {
        if (pid >= 0) {
          Bytes.put16(b, at + 2, blp);
        }
        at += ENTRY_LENGTH;
        pid = seq;
        blp = 0;
        Bytes.put16(b, at, pid);
      } else {
        blp |= 1 << distance - 1;
      }
    }
    Bytes.put16(b, at + 2, blp);
    return length;
  }
}

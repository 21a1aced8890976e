package dev.switchboard.media.rtp;

/**
 * Copies an RTP packet into a subscriber's own buffer with its header extension re-encoded for that subscriber.
 * Every subscriber needs its own copy anyway (SRTP protects it in place, with the subscriber's keys), so the copy
 * is where the extension changes shape: elements the subscriber did not negotiate are dropped rather than padded
 * over, ids are renumbered, and one element the node stamps per subscriber, usually the mid (RFC 8843 §15.2, which
 * names the subscriber's transceiver, not the publisher's), is put in whatever its length.
 *
 * <p>The block is written in the one-byte form when every element fits it (ids 1-14, 1-16 data bytes), else in the
 * two-byte form (profile 0x1000), as RFC 8285 §4.1 asks; without elements left the packet has no extension. An
 * extension of another profile than RFC 8285's is dropped: the subscriber negotiated none. Fixed header, CSRCs,
 * payload and padding are copied as they are.
 */
public final class RtpCopy {
  private RtpCopy() {
  }

  /**
   * Writes {@code in} at {@code out[outOff]} with its elements renumbered through {@code idMap} (see
   * {@link HeaderExtensions#mapped}; unmapped ones left out) and, when {@code stampId} is 1-255, an element
   * {@code stampId} holding {@code stamp} (at most 255 bytes) in place of any the input has under that id. Returns
   * the copy's length, or -1 when it does not fit or the stamp cannot be encoded.
   */
  public static int copy(RtpPacket in, byte[] out, int outOff, int[] idMap, int stampId, byte[] stamp) {
    boolean stamping = stampId > 0;
    if (stamping && (stampId > 255 || stamp.length > 255)) {
      return -1;
    }
    byte[] b = in.buffer();
    int profile = in.extensionProfile();
    boolean inOneByte = HeaderExtensions.isOneByte(profile);
    boolean rfc8285 = inOneByte || HeaderExtensions.isTwoByte(profile);
    int end = in.extensionsOffset() + in.extensionsLength();

    // measure: how many elements, how many data bytes, and whether the one-byte form can say them all
    int elements = stamping ? 1 : 0;
    int data = stamping ? stamp.length : 0;
    boolean twoByte = stamping && !fitsOneByte(stampId, stamp.length);
    for (int i = in.extensionsOffset(), next; rfc8285 && i < end; i = next) {
      next = HeaderExtensions.next(b, i, end, inOneByte);
      if (next < 0) {
        break;
      }
      int mapped = keptId(b, i, inOneByte, idMap, stamping ? stampId : 0);
      if (mapped > 0) {
        int length = next - HeaderExtensions.dataOffset(i, inOneByte);
        elements++;
        data += length;
        twoByte |= !fitsOneByte(mapped, length);
      }
    }
    int block = elements == 0 ? 0 : 4 + (data + elements * (twoByte ? 2 : 1) + 3) / 4 * 4;
    int fixed = RtpPacket.FIXED_HEADER + 4 * in.csrcCount();
    int tail = in.length() - in.headerLength();
    int total = fixed + block + tail;
    if (outOff < 0 || total > out.length - outOff) {
      return -1;
    }

    System.arraycopy(b, in.offset(), out, outOff, fixed);
    out[outOff] = (byte) (elements == 0 ? out[outOff] & ~0x10 : out[outOff] | 0x10);
    if (elements > 0) {
      int at = outOff + fixed;
      Bytes.put16(out, at, twoByte ? 0x1000 : HeaderExtensions.ONE_BYTE_PROFILE);
      Bytes.put16(out, at + 2, (block - 4) / 4);
      at += 4;
      for (int i = in.extensionsOffset(), next; rfc8285 && i < end; i = next) {
        next = HeaderExtensions.next(b, i, end, inOneByte);
        if (next < 0) {
          break;
        }
        int mapped = keptId(b, i, inOneByte, idMap, stamping ? stampId : 0);
        if (mapped > 0) {
          int from = HeaderExtensions.dataOffset(i, inOneByte);
          at = element(out, at, twoByte, mapped, b, from, next - from);
        }
      }
      if (stamping) {
        at = element(out, at, twoByte, stampId, stamp, 0, stamp.length);
      }
      java.util.Arrays.fill(out, at, outOff + fixed + block, (byte) 0);
    }
    System.arraycopy(b, in.payloadOffset(), out, outOff + fixed + block, tail);
    return total;
  }

  /** The receiver's id for the element at {@code i}, or 0 when it is padding, unmapped or replaced by the stamp. */
  private static int keptId(byte[] b, int i, boolean oneByte, int[] idMap, int stampId) {
    int id = HeaderExtensions.id(b, i, oneByte);
    int mapped = id == 0 ? 0 : HeaderExtensions.mapped(idMap, id);
    return mapped == stampId ? 0 : mapped;
  }

  private static boolean fitsOneByte(int id, int length) {
    return id <= 14 && length >= 1 && length <= 16;
  }

  private static int element(byte[] out, int at, boolean twoByte, int id, byte[] src, int from, int length) {
    if (twoByte) {
      out[at++] = (byte) id;
      out[at++] = (byte) length;
    } else {
      out[at++] = (byte) (id << 4 | length - 1);
    }
    System.arraycopy(src, from, out, at, length);
    return at + length;
  }
}

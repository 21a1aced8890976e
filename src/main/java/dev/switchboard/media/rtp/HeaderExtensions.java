package dev.switchboard.media.rtp;

/**
 * The elements of an RTP header extension in the two general forms of RFC 8285: one-byte headers (profile 0xBEDE,
 * ids 1-14, 1-16 data bytes) and two-byte headers (profile 0x100X, ids 1-255, 0-255 data bytes). Other profiles
 * (RFC 3550's single opaque extension) hold no elements: nothing is found in them and nothing rewritten.
 *
 * <p>Both forms agree that a zero byte between elements is padding (RFC 8285 §4.2, §4.3); in the one-byte form any
 * byte with id 0 is skipped alone, as libwebrtc does. In the one-byte form id 15 ends the parsing: its length is
 * ignored and elements after it are not considered (§4.2). An element that runs past the extension ends the parsing
 * too, so hostile lengths never reach past the block.
 *
 * <p>A found element is returned as one {@code long}, offset in the high and length in the low half, so the packet
 * path gets two ints back without allocating.
 */
public final class HeaderExtensions {
  public static final int ONE_BYTE_PROFILE = 0xBEDE;
  public static final long NOT_FOUND = -1L;

  private HeaderExtensions() {
  }

  public static boolean isOneByte(int profile) {
    return profile == ONE_BYTE_PROFILE;
  }

  /** 0x1000-0x100F: the low four bits are "appbits" the application may use (RFC 8285 §4.3). */
  public static boolean isTwoByte(int profile) {
    return (profile & 0xfff0) == 0x1000;
  }

  /** Absolute index of the found element's data. */
  public static int offset(long found) {
    return (int) (found >>> 32);
  }

  /** Number of data bytes of the found element. */
  public static int length(long found) {
    return (int) found;
  }

  /**
   * The first element with local id {@code id} in the {@code len} bytes of elements at {@code off}, or
   * {@link #NOT_FOUND}.
   */
  public static long find(byte[] b, int off, int len, int profile, int id) {
    boolean oneByte = isOneByte(profile);
    if (!oneByte && !isTwoByte(profile) || id <= 0) {
      return NOT_FOUND;
    }
    int end = off + len;
    for (int i = off, next; i < end; i = next) {
      next = next(b, i, end, oneByte);
      if (next < 0) {
        return NOT_FOUND;
      }
      if (id(b, i, oneByte) == id) {
        int data = dataOffset(i, oneByte);
        return (long) data << 32 | next - data;
      }
    }
    return NOT_FOUND;
  }

  /**
   * Renumbers every element in place from the sender's ids to the receiver's: {@code idMap[senderId]} is the id to
   * write. An element whose id has no mapping (beyond the array, 0, or not representable in the block's form, e.g.
   * above 14 in one-byte form) is overwritten with zero bytes, header and data: RFC 8285 makes zero bytes padding
   * that a receiver skips, so the block keeps its length and stays well-formed, and the receiver never sees an
   * element it did not negotiate. Renaming it to an id the receiver did not negotiate instead would rely on there
   * being such an id, and on the receiver's later renegotiation never giving that id a meaning. Elements after a
   * one-byte id 15, or after a malformed element, are left as they are: a receiver stops parsing there too.
   */
  public static void rewriteIds(byte[] b, int off, int len, int profile, int[] idMap) {
    boolean oneByte = isOneByte(profile);
    if (!oneByte && !isTwoByte(profile)) {
      return;
    }
    int end = off + len;
    for (int i = off, next; i < end; i = next) {
      next = next(b, i, end, oneByte);
      if (next < 0) {
        return;
      }
      if (id(b, i, oneByte) == 0) {
        continue;
      }
      int mapped = mapped(idMap, id(b, i, oneByte));
      if (mapped <= 0 || oneByte && mapped > 14) {
        java.util.Arrays.fill(b, i, next, (byte) 0);
      } else if (oneByte) {
        b[i] = (byte) (mapped << 4 | b[i] & 0x0f);
      } else {
        b[i] = (byte) mapped;
      }
    }
  }

  /** The receiver's id for a sender's id: 1-255, or 0 when it has none. */
  static int mapped(int[] idMap, int id) {
    int mapped = id < idMap.length ? idMap[id] : 0;
    return mapped > 0 && mapped <= 255 ? mapped : 0;
  }

  /**
   * The index after the element or padding byte at {@code i}, or -1 where parsing stops: a one-byte id 15, or an
   * element running past {@code end}. Every walk over elements goes through here, so each bounds check is made
   * once.
   */
  static int next(byte[] b, int i, int end, boolean oneByte) {
    int first = b[i] & 0xff;
    // padding; a one-byte header with id 0 and a nonzero length is skipped as one byte too, as browsers do
    if (oneByte ? first >>> 4 == 0 : first == 0) {
      return i + 1;
    }
    int next;
    if (oneByte) {
      if (first >>> 4 == 15) {
        return -1;
      }
      next = i + 1 + (first & 0x0f) + 1;
    } else {
      if (i + 2 > end) {
        return -1;
      }
      next = i + 2 + (b[i + 1] & 0xff);
    }
    return next > end ? -1 : next;
  }

  /** The id of the element (not padding) at {@code i}. */
  static int id(byte[] b, int i, boolean oneByte) {
    return oneByte ? (b[i] & 0xff) >>> 4 : b[i] & 0xff;
  }

  /** Where the data of the element at {@code i} starts. */
  static int dataOffset(int i, boolean oneByte) {
    return i + (oneByte ? 1 : 2);
  }
}

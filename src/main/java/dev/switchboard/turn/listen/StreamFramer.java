package dev.switchboard.turn.listen;

import dev.switchboard.turn.StunWire;

import java.nio.ByteBuffer;

/**
 * Message boundaries on a stream transport (RFC 8656 §12.5): a STUN message says its own length, and
 * ChannelData is padded to a multiple of 4 bytes.
 */
public final class StreamFramer {
  /** The largest frame: a STUN header and a 16-bit length (ChannelData's 4 + 65535 + padding is smaller). */
  public static final int MAX_FRAME = StunWire.HEADER + 65_535;

  private StreamFramer() {
  }

  /**
   * The length of the frame starting at {@code off}, when its first 4 bytes are there; 0 when fewer than 4
   * bytes are available; -1 when the bytes are neither STUN nor ChannelData (the stream cannot be resynchronised).
   */
  public static int frameLength(ByteBuffer in, int off, int available) {
    if (available < 4) {
      return 0;
    }
    int first = in.get(off) & 0xff;
    int length = in.getShort(off + 2) & 0xffff;
    if (StunWire.isChannelData(first)) {
      return 4 + ((length + 3) & ~3);
    }
    if ((first & 0xC0) == 0) {
      return StunWire.HEADER + length;
    }
    return -1;
  }
}

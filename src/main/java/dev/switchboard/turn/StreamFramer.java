package dev.switchboard.turn;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Cuts a TURN client's TCP or TLS byte stream into messages (RFC 8656 §12.5): STUN messages delimit
 * themselves by their length field; ChannelData is padded to a multiple of 4 on stream transports. Chunks may
 * split a message anywhere, or carry several. Memory is bounded by one message (64 KiB + header) whatever
 * the client sends; a first byte that starts neither kind means the stream is not TURN and it must close.
 */
final class StreamFramer {
  static final int MAX_MESSAGE = 4 + 65_535 + 3;

  private final ByteBuffer pending = ByteBuffer.allocate(MAX_MESSAGE);
  private boolean broken;

  /**
   * Feeds one chunk; each complete message is handed to {@code message} as a buffer whose position..limit is
   * exactly that message (valid during the call only).
   *
   * @return false once the stream is not TURN: the caller closes the connection
   */
  boolean feed(ByteBuffer chunk, Consumer<ByteBuffer> message) {
    while (!broken && chunk.hasRemaining()) {
      int need = pending.position() < 4 ? 4 : messageLength();
      if (need < 0) {
        broken = true;
        break;
      }
      int take = Math.min(need - pending.position(), chunk.remaining());
      ByteBuffer slice = chunk.slice(chunk.position(), take);
      pending.put(slice);
      chunk.position(chunk.position() + take);
      if (pending.position() >= 4) {
        int length = messageLength();
        if (length < 0) {
          broken = true;
        } else if (pending.position() == length) {
          message.accept(pending.flip());
          pending.clear();
        }
      }
    }
    return !broken;
  }

  /** The whole length of the message whose first 4 bytes are buffered; -1 for neither STUN nor ChannelData. */
  private int messageLength() {
    int first = pending.get(0) & 0xff;
    int declared = pending.getShort(2) & 0xffff;
    if (StunWire.isChannelData(first)) {
      return 4 + ((declared + 3) & ~3);
    }
    if ((first & 0xC0) == 0 && (declared & 3) == 0) {
      return StunWire.HEADER + declared;
    }
    return -1;
  }
}

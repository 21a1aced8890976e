package dev.switchboard.turn.listen;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Cuts a TURN client's TLS byte stream, as Vert.x hands it over in chunks, into messages ({@link StreamFramer}'s
 * boundaries, RFC 8656 §12.5). Chunks may split a message anywhere, or carry several. Memory is bounded by one message (64 KiB + header) whatever
 * the client sends; a first byte that starts neither kind means the stream is not TURN and it must close.
 */
public final class StreamAssembler {
  static final int MAX_MESSAGE = StreamFramer.MAX_FRAME;

  private final ByteBuffer pending = ByteBuffer.allocate(MAX_MESSAGE);
  private boolean broken;

  /**
   * Feeds one chunk; each complete message is handed to {@code message} as a buffer whose position..limit is
   * exactly that message (valid during the call only).
   *
   * @return false once the stream is not TURN: the caller closes the connection
   */
  public boolean feed(ByteBuffer chunk, Consumer<ByteBuffer> message) {
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
    return StreamFramer.frameLength(pending, 0, pending.position());
  }
}

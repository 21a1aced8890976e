package dev.switchboard.turn.listen;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Cuts a TURN client's byte stream (TCP or TLS), as it arrives in chunks, into messages ({@link StreamFramer}'s
 * boundaries, RFC 8656 §12.5). Chunks may split a message anywhere, or carry several. Whole messages inside a
 * chunk are handed over in place; only a message that a chunk cuts off is copied, into a buffer of that
 * message's size, so an idle connection holds no buffer at all and a busy one at most one message (64 KiB +
 * header) whatever the client sends. A first byte that starts neither kind means the stream is not TURN and it
 * must close.
 */
public final class StreamAssembler {
  static final int MAX_MESSAGE = StreamFramer.MAX_FRAME;
  private static final int HEADER = 4;

  /** The start of a message cut off by the end of a chunk; null between messages. */
  private ByteBuffer pending;
  private boolean broken;

  /**
   * Feeds one chunk; each complete message is handed to {@code message} as a buffer whose position..limit is
   * exactly that message (valid during the call only).
   *
   * @return false once the stream is not TURN: the caller closes the connection
   */
  public boolean feed(ByteBuffer chunk, Consumer<ByteBuffer> message) {
    while (!broken && chunk.hasRemaining()) {
      if (pending == null) {
        int length = StreamFramer.frameLength(chunk, chunk.position(), chunk.remaining());
        if (length < 0) {
          broken = true;
          break;
        }
        if (length > 0 && length <= chunk.remaining()) {
          int end = chunk.position() + length;
          ByteBuffer whole = chunk.duplicate().limit(end);
          chunk.position(end);
          message.accept(whole);
          continue;
        }
        // fewer than 4 bytes say nothing of the length yet: hold those, then size the buffer once they do
        pending = ByteBuffer.allocate(length == 0 ? HEADER : length);
      }
      int take = Math.min(pending.remaining(), chunk.remaining());
      pending.put(chunk.slice(chunk.position(), take));
      chunk.position(chunk.position() + take);
      if (!pending.hasRemaining()) {
        completePending(message);
      }
    }
    return !broken;
  }

  /** The pending buffer is full: it is a whole message, or the header that sizes one. */
  private void completePending(Consumer<ByteBuffer> message) {
    int length = StreamFramer.frameLength(pending, 0, pending.position());
    if (length < 0) {
      broken = true;
    } else if (length == pending.capacity()) {
      ByteBuffer whole = pending.flip();
      pending = null;
      message.accept(whole);
    } else {
      ByteBuffer sized = ByteBuffer.allocate(length);
      sized.put(pending.flip());
      pending = sized;
    }
  }
}

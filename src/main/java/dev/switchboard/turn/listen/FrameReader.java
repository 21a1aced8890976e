package dev.switchboard.turn.listen;

import dev.switchboard.turn.allocation.ClientLink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads a stream transport into frames ({@link StreamFramer}) for one connection. The read buffer is shared by
 * every connection of a loop; only the bytes of a frame begun but not complete stay with the connection between
 * reads, so an idle connection holds no frame-sized buffer.
 */
public final class FrameReader {
  private static final Logger LOG = Logger.getLogger(FrameReader.class.getName());
  private ByteBuffer partial;

  /** A read buffer for {@link #read}: room for an incomplete largest frame and as much again. */
  public static ByteBuffer sharedBuffer() {
    return ByteBuffer.allocateDirect(2 * StreamFramer.MAX_FRAME);
  }

  /**
   * Reads once from the channel into {@code shared} and hands every complete frame to the handler.
   * @return false at the end of the stream, or when it carries something that is neither STUN nor ChannelData
   */
  public boolean read(ReadableByteChannel channel, ByteBuffer shared, ClientLink link, PacketHandler handler)
      throws IOException {
    shared.clear();
    if (partial != null) {
      shared.put(partial);
      partial = null;
    }
    int read = channel.read(shared);
    shared.flip();
    int offset = 0;
    while (true) {
      int available = shared.limit() - offset;
      int length = StreamFramer.frameLength(shared, offset, available);
      if (length < 0) {
        return false;
      }
      if (length == 0 || length > available) {
        break;
      }
      try {
        handler.onPacket(shared, offset, length, link);
      } catch (RuntimeException e) {
        // the frame's bounds are known, so the stream stays in step: a bad frame costs that frame only,
        // as a bad datagram does over UDP, not the connection and its allocation
        LOG.log(Level.FINE, "frame from " + link.remote() + " dropped", e);
      }
      offset += length;
    }
    if (offset < shared.limit()) {
      // usually a few bytes of the next frame: keep only those
      partial = ByteBuffer.allocate(shared.limit() - offset);
      partial.put(shared.duplicate().position(offset)).flip();
    }
    return read >= 0;
  }
}

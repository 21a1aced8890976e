package dev.switchboard.media.rtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Source description (RFC 3550 §6.5): up to 31 chunks, each an SSRC with a list of items ended by a null octet and
 * padded to 32 bits. The node needs only the CNAME (item type 1), which ties a participant's audio and video
 * together; other items are skipped on reading and never written.
 */
public record Sdes(List<Chunk> chunks) {
  public static final int CNAME = 1;

  /** One source's description; {@code cname} is null when the chunk carried none. */
  public record Chunk(int ssrc, String cname) {
  }

  public Sdes {
    chunks = List.copyOf(chunks);
    if (chunks.size() > 31) {
      throw new IllegalArgumentException("at most 31 chunks, got " + chunks.size());
    }
    for (Chunk chunk : chunks) {
      if (chunk.cname() != null && chunk.cname().getBytes(StandardCharsets.UTF_8).length > 255) {
        throw new IllegalArgumentException("a CNAME holds at most 255 bytes");
      }
    }
  }

  /** The SDES at {@code off} within {@code len} bytes, or null when it is not a well-formed one. */
  public static Sdes read(byte[] b, int off, int len) {
    int content = RtcpHeader.contentLength(b, off, len, RtcpHeader.SDES, -1);
    if (content < 0) {
      return null;
    }
    int count = RtcpHeader.count(b, off);
    int end = off + content;
    int i = off + RtcpHeader.LENGTH;
    List<Chunk> chunks = new ArrayList<>(count);
    for (int c = 0; c < count; c++) {
      if (i + 4 > end) {
        return null;
      }
      int ssrc = Bytes.i32(b, i);
      i += 4;
      String cname = null;
      while (true) {
        if (i >= end) {
          return null;
        }
        int type = b[i] & 0xff;
        if (type == 0) {
          // the null octet ends the items; the chunk ends at the next 32-bit boundary
          i = off + ((i - off) / 4 + 1) * 4;
          break;
        }
        if (i + 2 > end || i + 2 + (b[i + 1] & 0xff) > end) {
          return null;
        }
        int itemLength = b[i + 1] & 0xff;
        if (type == CNAME && cname == null) {
          cname = new String(b, i + 2, itemLength, StandardCharsets.UTF_8);
        }
        i += 2 + itemLength;
      }
      chunks.add(new Chunk(ssrc, cname));
    }
    return i <= end ? new Sdes(chunks) : null;
  }

  public int length() {
    int length = RtcpHeader.LENGTH;
    for (Chunk chunk : chunks) {
      length += chunkLength(chunk);
    }
    return length;
  }

  private static int chunkLength(Chunk chunk) {
    int items = chunk.cname() == null ? 0 : 2 + chunk.cname().getBytes(StandardCharsets.UTF_8).length;
    // SSRC, items, at least one null octet, up to the next 32-bit boundary
    return 4 + (items / 4 + 1) * 4;
  }

  /** Writes the packet at {@code off} and returns its length, or -1 when it does not fit. */
  public int write(byte[] b, int off) {
    int length = length();
    if (off < 0 || length > b.length - off) {
      return -1;
    }
    RtcpHeader.write(b, off, chunks.size(), RtcpHeader.SDES, length);
    int i = off + RtcpHeader.LENGTH;
    for (Chunk chunk : chunks) {
      int end = i + chunkLength(chunk);
      Bytes.put32(b, i, chunk.ssrc());
      i += 4;
      if (chunk.cname() != null) {
        byte[] text = chunk.cname().getBytes(StandardCharsets.UTF_8);
        b[i] = CNAME;
        b[i + 1] = (byte) text.length;
        System.arraycopy(text, 0, b, i + 2, text.length);
        i += 2 + text.length;
      }
      java.util.Arrays.fill(b, i, end, (byte) 0);
      i = end;
    }
    return length;
  }
}

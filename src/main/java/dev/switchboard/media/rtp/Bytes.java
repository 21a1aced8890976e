package dev.switchboard.media.rtp;

/**
 * Network-order (big-endian) reads and writes on a byte array, the only byte order RTP and RTCP use. Callers check
 * bounds first: these are the inner loop of every parser and stay branch-free.
 */
public final class Bytes {
  private Bytes() {
  }

  public static int u8(byte[] b, int off) {
    return b[off] & 0xff;
  }

  public static int u16(byte[] b, int off) {
    return (b[off] & 0xff) << 8 | b[off + 1] & 0xff;
  }

  public static int u24(byte[] b, int off) {
    return (b[off] & 0xff) << 16 | (b[off + 1] & 0xff) << 8 | b[off + 2] & 0xff;
  }

  /** A 24-bit two's-complement field (RR cumulative lost, transport-cc reference time), sign-extended. */
  public static int s24(byte[] b, int off) {
    return u24(b, off) << 8 >> 8;
  }

  /** 32 bits as an int: SSRCs and timestamps are compared for equality or with wrap-around arithmetic anyway. */
  public static int i32(byte[] b, int off) {
    return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | b[off + 3] & 0xff;
  }

  public static long u32(byte[] b, int off) {
    return i32(b, off) & 0xffffffffL;
  }

  public static long i64(byte[] b, int off) {
    return (long) i32(b, off) << 32 | u32(b, off + 4);
  }

  public static void put8(byte[] b, int off, int v) {
    b[off] = (byte) v;
  }

  public static void put16(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 8);
    b[off + 1] = (byte) v;
  }

  public static void put24(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 16);
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) v;
  }

  public static void put32(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  public static void put64(byte[] b, int off, long v) {
    put32(b, off, (int) (v >>> 32));
    put32(b, off + 4, (int) v);
  }
}

package dev.switchboard.media.forward;

/**
 * Serial-number arithmetic for RTP's 16-bit sequence numbers and 32-bit timestamps (RFC 3550 §3; RFC 1982 style):
 * the values wrap, so "newer" means "less than half the space ahead".
 *
 * <p>Conventions of the package: an SSRC is an {@code int} holding the 32 bits as they are on the wire (unsigned by
 * meaning, {@link Integer#toUnsignedString(int)} to print); a sequence number is an {@code int} in 0..65535; an RTP
 * timestamp and an NTP value are {@code long}s holding the unsigned bits; times are monotonic nanoseconds
 * ({@code now}) passed in by the caller, so specs run on a fake clock.
 */
public final class Seq {
  public static final long TS_MASK = 0xFFFF_FFFFL;

  private Seq() {
  }

  /** {@code a - b} for 16-bit sequence numbers, in -32768..32767: positive when {@code a} is newer. */
  public static int diff(int a, int b) {
    return (short) (a - b);
  }

  /** {@code a - b} for 32-bit RTP timestamps, positive when {@code a} is later. */
  public static int tsDiff(long a, long b) {
    return (int) (a - b);
  }

  /** Elapsed nanoseconds as ticks of an RTP clock, without overflowing on long gaps (microsecond precision). */
  public static long ticks(long elapsedNanos, int clockRate) {
    return elapsedNanos / 1_000L * clockRate / 1_000_000L;
  }
}

package dev.switchboard.media.rtp;

/**
 * The layout of transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1), shared by {@link TransportCcBuilder} and {@link TransportCcFeedback}: RTPFB with FMT 15; after the sender
 * and media SSRCs the base sequence number (16 bits), the packet status count (16), the reference time (24-bit
 * signed, in multiples of 64 ms), the feedback packet count (8); then 16-bit packet chunks that give each packet's
 * status, then one receive delta per received packet (in 250 µs ticks: one unsigned byte when small, two signed
 * bytes when large or negative), padded to 32 bits.
 *
 * <p>A chunk is either a run length chunk (top bit 0: a two-bit status and a 13-bit run of it) or a status vector
 * chunk (top bit 1, then 0 for fourteen one-bit statuses, not received or small, or 1 for seven two-bit statuses).
 */
final class TransportCc {
  static final int BASE_SEQUENCE = 12;
  static final int STATUS_COUNT = 14;
  static final int REFERENCE_TIME = 16;
  static final int FEEDBACK_COUNT = 19;
  static final int CHUNKS = 20;

  /** Packet statuses, as the two-bit symbols say them. */
  static final int NOT_RECEIVED = 0;
  static final int SMALL_DELTA = 1;
  static final int LARGE_DELTA = 2;

  static final int MAX_RUN = (1 << 13) - 1;
  static final int ONE_BIT_SYMBOLS = 14;
  static final int TWO_BIT_SYMBOLS = 7;

  static final long DELTA_TICK_US = 250;
  static final long REFERENCE_TICK_US = 64_000;

  private TransportCc() {
  }
}

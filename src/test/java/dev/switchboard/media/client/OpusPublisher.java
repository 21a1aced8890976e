package dev.switchboard.media.client;

import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Generates Opus-shaped RTP (RFC 7587): one 20 ms frame per packet, timestamps advancing 960 at 48 kHz, a TOC
 * byte for a 20 ms fullband CELT mono frame, then the 8-byte send time ({@link System#nanoTime}) and filler up to
 * the bitrate's size. The marker is set on the first packet only (the start of a talkspurt, RFC 3551 §4.1).
 * Not thread-safe: one publishing thread.
 */
public final class OpusPublisher {
  /** Config 31 (CELT fullband 20 ms), mono, one frame (RFC 6716 §3.1). */
  static final byte TOC = (byte) 0xf8;
  public static final long PACKET_INTERVAL_NANOS = 20_000_000L;

  private final int ssrc;
  private final int payloadType;
  private final int payloadBytes;
  private int sequence = ThreadLocalRandom.current().nextInt(1 << 16);
  private long timestamp = ThreadLocalRandom.current().nextInt() & 0xffffffffL;
  private boolean first = true;

  /** @param bitrate bits per second, e.g. 32000 (80-byte payloads); at least the TOC and send time fit */
  public OpusPublisher(int ssrc, int payloadType, int bitrate) {
    this.ssrc = ssrc;
    this.payloadType = payloadType;
    this.payloadBytes = Math.max(9, bitrate / 8 / 50);
  }

  /** Stamps and sends the next 20 ms packet. */
  public void sendPacket(RtpSender sender) throws IOException {
    byte[] payload = new byte[payloadBytes];
    payload[0] = TOC;
    RtpHeader.writeLong(payload, 1, System.nanoTime());
    sender.sendRtp(ssrc, payloadType, sequence, timestamp, first, payload);
    first = false;
    sequence = (sequence + 1) & 0xffff;
    timestamp = (timestamp + 960) & 0xffffffffL;
  }

  /** The send time in a payload of this publisher, or -1 when it is too short. */
  public static long sendNanos(byte[] payload, int off, int len) {
    return len >= 9 ? RtpHeader.readLong(payload, off + 1) : -1;
  }
}

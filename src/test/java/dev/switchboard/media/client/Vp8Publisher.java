package dev.switchboard.media.client;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Generates VP8-shaped RTP (RFC 7741) at a chosen frame rate and bitrate: every packet starts with a 4-byte
 * payload descriptor (X=1, I=1 with a 15-bit picture id, S and PartID 0 on a frame's first packet), a frame's
 * first packet then carries the VP8 frame header (RFC 6386 §9.1: for a keyframe P=0, show_frame, the start
 * code 9d 01 2a and the size) so a keyframe detector sees what it would in a browser's stream, then comes the
 * 8-byte send time ({@link System#nanoTime}) that {@link #sendNanos} finds again, then filler. Frames are split
 * into packets of at most {@link #MAX_PAYLOAD} bytes, the marker is set on a frame's last packet, timestamps
 * advance 90 kHz / fps per frame. Not thread-safe: one publishing thread.
 */
public final class Vp8Publisher {
  public static final int MAX_PAYLOAD = 1200;
  static final int DESCRIPTOR = 4;
  static final int KEYFRAME_HEADER = 10;
  static final int INTERFRAME_HEADER = 3;
  private static final int WIDTH = 640;
  private static final int HEIGHT = 360;

  private final int ssrc;
  private final int payloadType;
  private final int fps;
  private final int frameBytes;
  private final int keyframeEvery;
  private int sequence = ThreadLocalRandom.current().nextInt(1 << 16); // RFC 3550: random initial values
  private long timestamp = ThreadLocalRandom.current().nextInt() & 0xffffffffL;
  private int pictureId = ThreadLocalRandom.current().nextInt(1 << 15);
  private long frames;

  /** One packet as it goes to {@link RtpSender#sendRtp}. */
  public record Packet(int ssrc, int payloadType, int sequence, long timestamp, boolean marker, byte[] payload) {
  }

  /**
   * @param bitrate bits per second averaged over frames (keyframes are 3 times an interframe's size)
   * @param keyframeEvery a keyframe every this many frames, the first frame always one
   */
  public Vp8Publisher(int ssrc, int payloadType, int fps, int bitrate, int keyframeEvery) {
    if (fps < 1 || bitrate < 8 * fps || keyframeEvery < 1) {
      throw new IllegalArgumentException("fps, bitrate and keyframeEvery must be positive");
    }
    this.ssrc = ssrc;
    this.payloadType = payloadType;
    this.fps = fps;
    this.keyframeEvery = keyframeEvery;
    // Average over one keyframe interval: (3 + (n - 1)) interframes carry n frames' share of the bitrate.
    long perInterval = (long) bitrate / 8 * keyframeEvery / fps;
    this.frameBytes = (int) Math.max(32, perInterval / (keyframeEvery + 2));
  }

  /** The next frame's packets, stamped with the current time; advances seq, timestamp and picture id. */
  public List<Packet> nextFrame() {
    boolean keyframe = frames % keyframeEvery == 0;
    int size = keyframe ? 3 * frameBytes : frameBytes;
    List<Packet> packets = new ArrayList<>(size / MAX_PAYLOAD + 1);
    int remaining = size; // the frame's VP8 bytes: frame header, send time, filler
    long sendNanos = System.nanoTime();
    for (boolean first = true; remaining > 0 || first; first = false) {
      int frameHeader = first ? (keyframe ? KEYFRAME_HEADER : INTERFRAME_HEADER) : 0;
      int body = Math.max(Math.min(remaining, MAX_PAYLOAD - DESCRIPTOR), frameHeader + 8);
      byte[] payload = new byte[DESCRIPTOR + body];
      payload[0] = (byte) (0x80 | (first ? 0x10 : 0)); // X, S on the first packet, PartID 0
      payload[1] = (byte) 0x80; // I: a picture id follows
      payload[2] = (byte) (0x80 | (pictureId >> 8)); // M: 15-bit picture id
      payload[3] = (byte) pictureId;
      if (first) {
        writeFrameHeader(payload, DESCRIPTOR, keyframe, size);
      }
      RtpHeader.writeLong(payload, DESCRIPTOR + frameHeader, sendNanos);
      remaining -= body;
      packets.add(new Packet(ssrc, payloadType, sequence, timestamp, remaining <= 0, payload));
      sequence = (sequence + 1) & 0xffff;
    }
    timestamp = (timestamp + 90_000 / fps) & 0xffffffffL;
    pictureId = (pictureId + 1) & 0x7fff;
    frames++;
    return packets;
  }

  /** Generates the next frame and hands each packet to {@code sender}; the number of packets. */
  public int sendFrame(RtpSender sender) throws IOException {
    List<Packet> packets = nextFrame();
    for (Packet p : packets) {
      sender.sendRtp(p.ssrc(), p.payloadType(), p.sequence(), p.timestamp(), p.marker(), p.payload());
    }
    return packets.size();
  }

  /** Nanoseconds between frames, for whoever paces the publisher. */
  public long frameIntervalNanos() {
    return 1_000_000_000L / fps;
  }

  /** Whether a VP8 RTP payload starts a keyframe: S=1, PartID 0 and the frame tag's P bit clear. */
  public static boolean isKeyframe(byte[] payload, int off, int len) {
    int header = descriptorLength(payload, off, len);
    return header > 0 && (payload[off] & 0x1f) == 0x10 && len > header + 2 && (payload[off + header] & 0x01) == 0;
  }

  /** The send time a packet of this publisher carries, or -1 when the payload is too short for one. */
  public static long sendNanos(byte[] payload, int off, int len) {
    int at = descriptorLength(payload, off, len);
    if (at < 0) {
      return -1;
    }
    if ((payload[off] & 0x1f) == 0x10) { // a frame's first packet: the frame header comes first
      at += (len > at && (payload[off + at] & 0x01) == 0) ? KEYFRAME_HEADER : INTERFRAME_HEADER;
    }
    return at + 8 <= len ? RtpHeader.readLong(payload, off + at) : -1;
  }

  /** Bytes of the RFC 7741 payload descriptor at {@code off}, or -1 when it runs past the payload. */
  static int descriptorLength(byte[] p, int off, int len) {
    if (len < 1) {
      return -1;
    }
    int n = 1;
    if ((p[off] & 0x80) != 0) { // X: extension byte with I, L, T, K
      if (len < 2) {
        return -1;
      }
      int x = p[off + 1] & 0xff;
      n = 2;
      if ((x & 0x80) != 0) { // I: picture id, 7 or 15 bits (M)
        n += len > n && (p[off + n] & 0x80) != 0 ? 2 : 1;
      }
      if ((x & 0x40) != 0) { // L: TL0PICIDX
        n++;
      }
      if ((x & 0x30) != 0) { // T or K: TID/Y/KEYIDX
        n++;
      }
    }
    return n <= len ? n : -1;
  }

  /** RFC 6386 §9.1: 3-byte frame tag (P, version 0, show_frame, first partition size), keyframes add start code and size. */
  private static void writeFrameHeader(byte[] p, int at, boolean keyframe, int frameSize) {
    int firstPartition = Math.min(frameSize, (1 << 19) - 1);
    int tag = (keyframe ? 0 : 1) | (1 << 4) | (firstPartition << 5);
    p[at] = (byte) tag;
    p[at + 1] = (byte) (tag >> 8);
    p[at + 2] = (byte) (tag >> 16);
    if (keyframe) {
      p[at + 3] = (byte) 0x9d;
      p[at + 4] = 0x01;
      p[at + 5] = 0x2a;
      p[at + 6] = (byte) WIDTH; // 14-bit width, scale 0, little endian
      p[at + 7] = (byte) (WIDTH >> 8);
      p[at + 8] = (byte) HEIGHT;
      p[at + 9] = (byte) (HEIGHT >> 8);
    }
  }
}

package dev.switchboard.turn;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How the fuzz targets read their bytes, and how the rig turns each step into what a client sends.
 *
 * <p>An input is a sequence of steps, each a 4-byte header and a payload:
 * <pre>
 *   flags  client  length (2 bytes, big endian)  payload (length bytes, or what is left)
 * </pre>
 * flags bits 0-1 say what the rig does to a STUN payload: {@link #RAW} sends it as it is; {@link #FIX} sets its
 * length field and appends FINGERPRINT; {@link #SIGN} and {@link #SIGN_STALE} append USERNAME, REALM and NONCE
 * of credential {@code (flags >> 2) & 3} and a valid MESSAGE-INTEGRITY (where the payload has a MESSAGE-INTEGRITY
 * attribute, in its place: what follows it stays after it), then FINGERPRINT unless bit 7 is set. The nonce is
 * the one the server issued to that client now, or with {@link #SIGN_STALE} one issued 601 s ago. A ChannelData
 * payload (first byte 0x40-0x7F) with any mode but RAW gets its length field set, and padding on a stream.
 * Bits 4-5 move the fake clock forward before the step (0, 1 s, 301 s, 601 s: permissions, then allocations and
 * nonces run out); bit 6 sweeps after it. The client byte picks the source address of a datagram (bits 0-1); its
 * bit 7 revokes the step's credential after the datagram, as signaling does (the next sweep ends its allocations).
 * A datagram's
 * RESERVATION-TOKEN of eight zero bytes becomes the last token the server handed out (modes other than RAW).
 *
 * <p>A stream input starts with the chunking: a byte {@code c}, then {@code (c & 15) + 1} sizes {@code s}, each
 * chunk {@code 1 + s * (1 + (c >> 4))} bytes long, used in turn; the steps follow and are sent back to back.
 */
final class TurnFuzzInput {
  static final int RAW = 0;
  static final int FIX = 1;
  static final int SIGN = 2;
  static final int SIGN_STALE = 3;
  static final int NO_FINGERPRINT = 0x80;
  static final int SWEEP = 0x40;
  /** In the client byte. */
  static final int REVOKE = 0x80;
  /** Steps read from one input at most: longer inputs add time, not paths. */
  static final int MAX_STEPS = 64;
  private static final long[] ADVANCE_MILLIS = {0, 1_000, 301_000, 601_000};
  private static final int ATTR_USERNAME = 0x0006;
  private static final int ATTR_REALM = 0x0014;
  private static final int ATTR_NONCE = 0x0015;
  static final int ATTR_RESERVATION_TOKEN = 0x0022;
  private static final int MAX_MESSAGE = StunWire.HEADER + 0xFFFF;

  private TurnFuzzInput() {
  }

  record Step(int flags, int client, byte[] payload) {
    int mode() {
      return flags & 3;
    }

    int credential() {
      return (flags >>> 2) & 3;
    }

    long advanceMillis() {
      return ADVANCE_MILLIS[(flags >>> 4) & 3];
    }

    boolean sweep() {
      return (flags & SWEEP) != 0;
    }

    boolean fingerprint() {
      return (flags & NO_FINGERPRINT) == 0;
    }

    /** Whether the step's credential is revoked after a datagram step. */
    boolean revoke() {
      return (client & REVOKE) != 0;
    }
  }

  /** How a stream input cuts its bytes, and where its steps start. */
  record Chunking(int[] sizes, int stepsFrom) {
    static Chunking read(byte[] data) {
      if (data.length == 0) {
        return new Chunking(new int[] {1}, 0);
      }
      int control = data[0] & 0xff;
      int count = Math.min((control & 15) + 1, data.length - 1);
      int[] sizes = new int[Math.max(1, count)];
      Arrays.fill(sizes, 1);
      for (int i = 0; i < count; i++) {
        sizes[i] = 1 + (data[1 + i] & 0xff) * (1 + (control >>> 4));
      }
      return new Chunking(sizes, 1 + count);
    }
  }

  static List<Step> steps(byte[] data, int from) {
    List<Step> steps = new ArrayList<>();
    int at = from;
    while (at + 4 <= data.length && steps.size() < MAX_STEPS) {
      int length = Math.min(((data[at + 2] & 0xff) << 8) | (data[at + 3] & 0xff), data.length - at - 4);
      steps.add(new Step(data[at] & 0xff, data[at + 1] & 0xff, Arrays.copyOfRange(data, at + 4, at + 4 + length)));
      at += 4 + length;
    }
    return steps;
  }

  /** One step as input bytes (seeds are written with this). */
  static byte[] step(int flags, int client, byte[] payload) {
    return ByteBuffer.allocate(4 + payload.length).put((byte) flags).put((byte) client)
        .putShort((short) payload.length).put(payload).array();
  }

  /**
   * What the client sends for this step (see the class comment).
   *
   * @param token the RESERVATION-TOKEN the server handed out last, or null: it replaces a token of eight zero bytes
   *     in modes FIX and SIGN (a fuzzer cannot guess a random token)
   */
  static byte[] message(Step step, String username, byte[] key, String realm, String nonce, byte[] token,
                        boolean stream) {
    byte[] payload = step.payload();
    if (step.mode() == RAW || payload.length < 4) {
      return payload;
    }
    if (token != null && payload.length >= StunWire.HEADER) {
      payload = withToken(payload, token);
    }
    if (StunWire.isChannelData(payload[0] & 0xff)) {
      byte[] frame = Arrays.copyOf(payload, stream ? padded(payload.length) : payload.length);
      int length = Math.min(payload.length - 4, 0xFFFF);
      frame[2] = (byte) (length >> 8);
      frame[3] = (byte) length;
      return frame;
    }
    if (payload.length < StunWire.HEADER) {
      return payload;
    }
    byte[] message = step.mode() == FIX ? withLength(Arrays.copyOf(payload, padded(payload.length)))
        : signed(payload, username, key, realm, nonce);
    if (step.fingerprint()) {
      message = StunWire.sign(message, null);
    }
    return message.length > MAX_MESSAGE ? payload : message;
  }

  private static byte[] signed(byte[] payload, String username, byte[] key, String realm, String nonce) {
    int mi = messageIntegrityAt(payload);
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 120);
    out.writeBytes(Arrays.copyOf(payload, padded(mi < 0 ? payload.length : mi)));
    attribute(out, ATTR_USERNAME, username.getBytes(StandardCharsets.UTF_8));
    attribute(out, ATTR_REALM, realm.getBytes(StandardCharsets.UTF_8));
    attribute(out, ATTR_NONCE, nonce.getBytes(StandardCharsets.US_ASCII));
    // the HMAC covers the message up to MESSAGE-INTEGRITY, its length field counting MESSAGE-INTEGRITY in
    byte[] covered = out.toByteArray();
    setLength(covered, covered.length - StunWire.HEADER + 24);
    attribute(out, StunWire.ATTR_MESSAGE_INTEGRITY, StunWire.hmac(key, covered));
    if (mi >= 0 && mi + 24 < payload.length) {
      byte[] tail = Arrays.copyOfRange(payload, mi + 24, payload.length);
      out.writeBytes(Arrays.copyOf(tail, padded(tail.length)));
    }
    return withLength(out.toByteArray());
  }

  /** Where a top-level MESSAGE-INTEGRITY attribute of the payload starts, or -1. */
  private static int messageIntegrityAt(byte[] payload) {
    return attributeAt(payload, StunWire.ATTR_MESSAGE_INTEGRITY, 0);
  }

  /** The payload with the value of its first RESERVATION-TOKEN replaced by the token when it is 8 zero bytes. */
  private static byte[] withToken(byte[] payload, byte[] token) {
    int at = attributeAt(payload, ATTR_RESERVATION_TOKEN, 8);
    if (at < 0 || at + 12 > payload.length || !Arrays.equals(payload, at + 4, at + 12, new byte[8], 0, 8)) {
      return payload;
    }
    byte[] out = payload.clone();
    System.arraycopy(token, 0, out, at + 4, 8);
    return out;
  }

  /** Where the first top-level attribute of the type (and the length, unless 0) starts in a payload, or -1. */
  static int attributeAt(byte[] payload, int type, int length) {
    for (int at = StunWire.HEADER; at + 4 <= payload.length; ) {
      int attributeLength = ((payload[at + 2] & 0xff) << 8) | (payload[at + 3] & 0xff);
      if ((((payload[at] & 0xff) << 8) | (payload[at + 1] & 0xff)) == type
          && (length == 0 || attributeLength == length)) {
        return at;
      }
      at += 4 + padded(attributeLength);
    }
    return -1;
  }

  static void attribute(ByteArrayOutputStream out, int type, byte[] value) {
    out.write(type >> 8);
    out.write(type);
    out.write(value.length >> 8);
    out.write(value.length);
    out.writeBytes(value);
    out.writeBytes(new byte[padded(value.length) - value.length]);
  }

  private static byte[] withLength(byte[] message) {
    setLength(message, message.length - StunWire.HEADER);
    return message;
  }

  private static void setLength(byte[] message, int length) {
    message[2] = (byte) (length >> 8);
    message[3] = (byte) length;
  }

  static int padded(int length) {
    return (length + 3) & ~3;
  }
}

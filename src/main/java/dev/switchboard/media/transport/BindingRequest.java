package dev.switchboard.media.transport;

import dev.switchboard.turn.StunWire;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One STUN message as an ICE check reads it (RFC 8489 §5, RFC 8445 §16.1), parsed by hand: the few attributes a
 * check carries are read in one pass, without a codec's object per attribute. Integrity and fingerprint are
 * verified with the relay's {@link StunWire} helpers over {@link #message}, an exact copy of the datagram.
 * Also writes the two answers a lite agent gives: Binding success and 487.
 */
final class BindingRequest {
  static final int BINDING_REQUEST = 0x0001;
  static final int BINDING_INDICATION = 0x0011;
  private static final int BINDING_SUCCESS = 0x0101;
  private static final int BINDING_ERROR = 0x0111;
  private static final int ATTR_USERNAME = 0x0006;
  private static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
  private static final int ATTR_USE_CANDIDATE = 0x0025;
  private static final int ATTR_ICE_CONTROLLED = 0x8029;
  private static final int ATTR_ICE_CONTROLLING = 0x802A;
  /** RFC 8489 §14.3: USERNAME is under 513 bytes. */
  private static final int MAX_USERNAME = 512;
  private static final byte[] ROLE_CONFLICT = "Role Conflict".getBytes(StandardCharsets.US_ASCII);

  enum Role { NONE, CONTROLLING, CONTROLLED }

  final int type;
  final byte[] message;
  final String username;
  final boolean useCandidate;
  final Role role;
  final boolean integrity;
  final int fingerprintAt;

  private BindingRequest(int type, byte[] message, String username, boolean useCandidate, Role role,
                         boolean integrity, int fingerprintAt) {
    this.type = type;
    this.message = message;
    this.username = username;
    this.useCandidate = useCandidate;
    this.role = role;
    this.integrity = integrity;
    this.fingerprintAt = fingerprintAt;
  }

  /**
   * @return the message, or null when it is no well-formed STUN message: no magic cookie, a length that is not a
   *     multiple of 4 or runs past the datagram, an attribute that runs past the message, or anything after
   *     FINGERPRINT (which RFC 8489 §14.7 makes the last attribute)
   */
  static BindingRequest parse(byte[] buf, int off, int len) {
    int length = headerLength(buf, off, len);
    if (length < 0) {
      return null;
    }
    int type = u16(buf, off);
    int end = off + StunWire.HEADER + length;
    String username = null;
    boolean useCandidate = false;
    Role role = Role.NONE;
    boolean integrity = false;
    int fingerprintAt = -1;
    for (int p = off + StunWire.HEADER; p < end; ) {
      if (fingerprintAt >= 0 || p + 4 > end) {
        return null;
      }
      int attr = u16(buf, p);
      int attrLength = u16(buf, p + 2);
      if (p + 4 + attrLength > end) {
        return null;
      }
      if (attr == StunWire.ATTR_FINGERPRINT) {
        if (attrLength != 4) {
          return null;
        }
        fingerprintAt = p - off;
      } else if (attr == StunWire.ATTR_MESSAGE_INTEGRITY) {
        if (integrity || attrLength != 20) {
          return null;
        }
        integrity = true;
      } else if (!integrity) {
        // RFC 8489 §14.5: whatever follows MESSAGE-INTEGRITY but FINGERPRINT is not covered by it and is ignored.
        // Unknown comprehension-required attributes are ignored too (leniency; a 420 would tell a browser nothing).
        switch (attr) {
          case ATTR_USERNAME -> username = attrLength > MAX_USERNAME
              ? null : new String(buf, p + 4, attrLength, StandardCharsets.UTF_8);
          case ATTR_USE_CANDIDATE -> useCandidate = true;
          case ATTR_ICE_CONTROLLING -> role = Role.CONTROLLING;
          case ATTR_ICE_CONTROLLED -> role = Role.CONTROLLED;
          default -> { }
        }
      }
      p += 4 + ((attrLength + 3) & ~3);
    }
    byte[] message = Arrays.copyOfRange(buf, off, end);
    return new BindingRequest(type, message, username, useCandidate, role, integrity, fingerprintAt);
  }

  /**
   * The first part of the USERNAME ("localUfrag:remoteUfrag" as the receiver sees it), read without copying the
   * message: how a check from an unknown address finds its session. Null when there is none.
   */
  static String localUfrag(byte[] buf, int off, int len) {
    int length = headerLength(buf, off, len);
    if (length < 0) {
      return null;
    }
    int end = off + StunWire.HEADER + length;
    for (int p = off + StunWire.HEADER; p + 4 <= end; ) {
      int attr = u16(buf, p);
      int attrLength = u16(buf, p + 2);
      if (p + 4 + attrLength > end || attr == StunWire.ATTR_MESSAGE_INTEGRITY) {
        return null;
      }
      if (attr == ATTR_USERNAME) {
        for (int i = p + 4; i < p + 4 + Math.min(attrLength, MAX_USERNAME); i++) {
          if (buf[i] == ':') {
            return new String(buf, p + 4, i - p - 4, StandardCharsets.UTF_8);
          }
        }
        return null;
      }
      p += 4 + ((attrLength + 3) & ~3);
    }
    return null;
  }

  /** The message's length field when the datagram holds a whole STUN message, else -1. */
  private static int headerLength(byte[] buf, int off, int len) {
    if (len < StunWire.HEADER || (buf[off] & 0xC0) != 0 || readInt(buf, off + 4) != StunWire.MAGIC_COOKIE) {
      return -1;
    }
    int length = u16(buf, off + 2);
    return (length & 3) != 0 || StunWire.HEADER + length > len ? -1 : length;
  }

  boolean fingerprintValid() {
    return fingerprintAt < 0 || StunWire.verifyFingerprint(message, fingerprintAt);
  }

  boolean integrityValid(byte[] key) {
    return integrity && StunWire.verifyIntegrity(message, key);
  }

  /** Binding success: XOR-MAPPED-ADDRESS of the source the check came from, MESSAGE-INTEGRITY, FINGERPRINT. */
  byte[] success(InetSocketAddress mapped, byte[] key) {
    byte[] ip = mapped.getAddress().getAddress();
    byte[] out = header(BINDING_SUCCESS, 8 + ip.length);
    int p = StunWire.HEADER;
    writeU16(out, p, ATTR_XOR_MAPPED_ADDRESS);
    writeU16(out, p + 2, 4 + ip.length);
    out[p + 5] = (byte) (mapped.getAddress() instanceof Inet4Address ? 1 : 2);
    writeU16(out, p + 6, mapped.getPort() ^ (StunWire.MAGIC_COOKIE >>> 16));
    for (int i = 0; i < ip.length; i++) {
      // RFC 8489 §14.2: XOR with the magic cookie, and for IPv6 then with the transaction id
      out[p + 8 + i] = (byte) (ip[i] ^ out[4 + i]);
    }
    return StunWire.sign(out, key);
  }

  /** 487 Role Conflict (RFC 8445 §7.3.1.1), authenticated like a success: the request was. */
  byte[] roleConflict(byte[] key) {
    int reasonLength = ROLE_CONFLICT.length;
    byte[] out = header(BINDING_ERROR, 4 + ((4 + reasonLength + 3) & ~3));
    int p = StunWire.HEADER;
    writeU16(out, p, StunWire.ATTR_ERROR_CODE);
    writeU16(out, p + 2, 4 + reasonLength);
    out[p + 6] = 4;
    out[p + 7] = 87;
    System.arraycopy(ROLE_CONFLICT, 0, out, p + 8, reasonLength);
    return StunWire.sign(out, key);
  }

  /** A response header with this request's transaction id, followed by {@code bodyLength} zeroed bytes. */
  private byte[] header(int responseType, int bodyLength) {
    byte[] out = new byte[StunWire.HEADER + bodyLength];
    writeU16(out, 0, responseType);
    writeU16(out, 2, bodyLength);
    System.arraycopy(message, 4, out, 4, 16);
    return out;
  }

  private static int u16(byte[] b, int p) {
    return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
  }

  private static int readInt(byte[] b, int p) {
    return (u16(b, p) << 16) | u16(b, p + 2);
  }

  private static void writeU16(byte[] b, int p, int v) {
    b[p] = (byte) (v >> 8);
    b[p + 1] = (byte) v;
  }
}

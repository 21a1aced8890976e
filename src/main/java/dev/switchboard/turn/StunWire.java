package dev.switchboard.turn;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Byte-level STUN work that ice4j's codec does not do without a StunStack (MESSAGE-INTEGRITY,
 * FINGERPRINT) and the hot path, which must not allocate per packet: ChannelData and Send/Data
 * indications are read and written in place.
 */
public final class StunWire {
  public static final int MAGIC_COOKIE = 0x2112A442;
  public static final int HEADER = 20;
  public static final int ATTR_XOR_PEER_ADDRESS = 0x0012;
  public static final int ATTR_DATA = 0x0013;
  public static final int ATTR_MESSAGE_INTEGRITY = 0x0008;
  public static final int ATTR_FINGERPRINT = 0x8028;
  public static final int ATTR_EVEN_PORT = 0x0018;
  public static final int ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017;
  public static final int ATTR_ERROR_CODE = 0x0009;
  public static final int SEND_INDICATION = 0x0016;
  public static final int DATA_INDICATION = 0x0017;
  private static final int FINGERPRINT_XOR = 0x5354554e;

  private StunWire() {
  }

  public static boolean isChannelData(int firstByte) {
    return (firstByte & 0xC0) == 0x40;
  }

  /** A whole STUN message: top bits 00, the magic cookie, and a length that fits. */
  public static boolean isStun(ByteBuffer b, int off, int len) {
    return len >= HEADER && (b.get(off) & 0xC0) == 0 && b.getInt(off + 4) == MAGIC_COOKIE
        && HEADER + (b.getShort(off + 2) & 0xffff) <= len && (b.getShort(off + 2) & 3) == 0;
  }

  /** Offset of the attribute's TLV header in a message, or -1. */
  public static int find(byte[] msg, int type) {
    int end = Math.min(msg.length, HEADER + (((msg[2] & 0xff) << 8) | (msg[3] & 0xff)));
    for (int off = HEADER; off + 4 <= end; ) {
      int t = ((msg[off] & 0xff) << 8) | (msg[off + 1] & 0xff);
      int l = ((msg[off + 2] & 0xff) << 8) | (msg[off + 3] & 0xff);
      if (t == type) {
        return off;
      }
      off += 4 + ((l + 3) & ~3);
    }
    return -1;
  }

  /**
   * Every XOR-PEER-ADDRESS of a message, in order (RFC 8656 §9: a CreatePermission may carry several; ice4j's
   * Message keeps one attribute per type). Attributes after MESSAGE-INTEGRITY are not covered by it and are
   * ignored (RFC 8489 §14.5), as ice4j's decoder ignores them.
   *
   * @return the addresses as sent (not canonical), or null when one is malformed: a family other than IPv4
   *     and IPv6, a length that does not fit it, or an attribute that runs past the message
   */
  public static List<InetSocketAddress> xorPeerAddresses(byte[] msg) {
    List<InetSocketAddress> peers = new ArrayList<>(1);
    int end = Math.min(msg.length, HEADER + (((msg[2] & 0xff) << 8) | (msg[3] & 0xff)));
    for (int off = HEADER; off + 4 <= end; ) {
      int type = ((msg[off] & 0xff) << 8) | (msg[off + 1] & 0xff);
      int length = ((msg[off + 2] & 0xff) << 8) | (msg[off + 3] & 0xff);
      if (type == ATTR_MESSAGE_INTEGRITY) {
        break;
      }
      if (type == ATTR_XOR_PEER_ADDRESS) {
        int ipLength = length < 4 ? 0 : msg[off + 5] == 1 ? 4 : msg[off + 5] == 2 ? 16 : 0;
        if (ipLength == 0 || length != 4 + ipLength || off + 4 + length > end) {
          return null;
        }
        byte[] ip = new byte[ipLength];
        for (int i = 0; i < ipLength; i++) {
          // IPv4: XOR with the cookie; IPv6: with the cookie and then the transaction id
          int mask = i < 4 ? (MAGIC_COOKIE >>> (24 - 8 * i)) & 0xff : msg[8 + (i - 4)];
          ip[i] = (byte) (msg[off + 8 + i] ^ mask);
        }
        int port = ((((msg[off + 6] & 0xff) << 8) | (msg[off + 7] & 0xff)) ^ (MAGIC_COOKIE >>> 16)) & 0xffff;
        try {
          peers.add(new InetSocketAddress(InetAddress.getByAddress(ip), port));
        } catch (UnknownHostException e) {
          throw new IllegalStateException(e); // 4 or 16 bytes are always an address
        }
      }
      off += 4 + ((length + 3) & ~3);
    }
    return peers;
  }

  /** Checks MESSAGE-INTEGRITY (HMAC-SHA1 over the message up to it, length adjusted) in constant time. */
  public static boolean verifyIntegrity(byte[] msg, byte[] key) {
    int mi = find(msg, ATTR_MESSAGE_INTEGRITY);
    if (mi < 0 || mi + 24 > msg.length) {
      return false;
    }
    byte[] expected = hmac(key, withLength(Arrays.copyOf(msg, mi), mi - HEADER + 24));
    return MessageDigest.isEqual(expected, Arrays.copyOfRange(msg, mi + 4, mi + 24));
  }

  /** Appends MESSAGE-INTEGRITY (when a key is given) and FINGERPRINT to a message encoded without them. */
  public static byte[] sign(byte[] encoded, byte[] key) {
    byte[] msg = encoded;
    if (key != null) {
      byte[] withMi = Arrays.copyOf(msg, msg.length + 24);
      withLength(withMi, withMi.length - HEADER);
      byte[] mac = hmac(key, Arrays.copyOf(withMi, msg.length));
      withMi[msg.length] = 0x00;
      withMi[msg.length + 1] = 0x08;
      withMi[msg.length + 2] = 0x00;
      withMi[msg.length + 3] = 20;
      System.arraycopy(mac, 0, withMi, msg.length + 4, 20);
      msg = withMi;
    }
    byte[] withFp = Arrays.copyOf(msg, msg.length + 8);
    withLength(withFp, withFp.length - HEADER);
    CRC32 crc = new CRC32();
    crc.update(withFp, 0, msg.length);
    int fp = (int) crc.getValue() ^ FINGERPRINT_XOR;
    withFp[msg.length] = (byte) 0x80;
    withFp[msg.length + 1] = 0x28;
    withFp[msg.length + 2] = 0x00;
    withFp[msg.length + 3] = 4;
    ByteBuffer.wrap(withFp, msg.length + 4, 4).putInt(fp);
    return withFp;
  }

  /** FINGERPRINT check: CRC-32 of the message up to the attribute, XOR 0x5354554e. */
  public static boolean verifyFingerprint(byte[] msg, int offset) {
    if (offset + 8 > msg.length) {
      return false;
    }
    CRC32 crc = new CRC32();
    crc.update(msg, 0, offset);
    return ((int) crc.getValue() ^ FINGERPRINT_XOR) == ByteBuffer.wrap(msg, offset + 4, 4).getInt();
  }

  /** The message without the attribute at {@code offset}, its length field adjusted. */
  public static byte[] without(byte[] msg, int offset) {
    int length = ((msg[offset + 2] & 0xff) << 8) | (msg[offset + 3] & 0xff);
    int size = 4 + ((length + 3) & ~3);
    byte[] out = new byte[msg.length - size];
    System.arraycopy(msg, 0, out, 0, offset);
    System.arraycopy(msg, offset + size, out, offset, msg.length - offset - size);
    return withLength(out, out.length - HEADER);
  }

  /** A 400 error response to a request that could not be decoded, built from its header alone. */
  public static byte[] badRequest(byte[] request) {
    int method = (((request[0] & 0xff) << 8) | (request[1] & 0xff)) & 0x3EEF;
    byte[] msg = new byte[HEADER + 8];
    int type = method | 0x0110;
    msg[0] = (byte) (type >> 8);
    msg[1] = (byte) type;
    System.arraycopy(request, 4, msg, 4, 16);
    msg[HEADER] = 0;
    msg[HEADER + 1] = (byte) ATTR_ERROR_CODE;
    msg[HEADER + 3] = 4;
    msg[HEADER + 6] = 4;
    msg[HEADER + 7] = 0;
    return withLength(msg, 8);
  }

  private static byte[] withLength(byte[] msg, int length) {
    msg[2] = (byte) (length >> 8);
    msg[3] = (byte) length;
    return msg;
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(key, "HmacSHA1"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where the peer and the payload of a Send indication are; filled in place, reused across packets. */
  public static final class SendIndication {
    public final byte[] peerIp = new byte[16];
    public int peerIpLength;
    public int peerPort;
    public int dataOffset;
    public int dataLength;

    /** @return false when XOR-PEER-ADDRESS or DATA is missing or malformed */
    public boolean parse(ByteBuffer b, int off, int len) {
      int end = off + Math.min(len, HEADER + (b.getShort(off + 2) & 0xffff));
      peerIpLength = 0;
      dataOffset = -1;
      for (int p = off + HEADER; p + 4 <= end; ) {
        int type = b.getShort(p) & 0xffff;
        int length = b.getShort(p + 2) & 0xffff;
        if (p + 4 + length > end) {
          return false;
        }
        if (type == ATTR_XOR_PEER_ADDRESS && length >= 8) {
          int family = b.get(p + 5);
          peerPort = (b.getShort(p + 6) & 0xffff) ^ (MAGIC_COOKIE >>> 16);
          peerIpLength = family == 1 ? 4 : family == 2 ? 16 : 0;
          if (peerIpLength == 0 || length < 4 + peerIpLength) {
            return false;
          }
          for (int i = 0; i < peerIpLength; i++) {
            // IPv4: XOR with the cookie; IPv6: with the cookie and then the transaction id
            int mask = i < 4 ? (MAGIC_COOKIE >>> (24 - 8 * i)) & 0xff : b.get(off + 8 + (i - 4));
            peerIp[i] = (byte) (b.get(p + 8 + i) ^ mask);
          }
        } else if (type == ATTR_DATA) {
          dataOffset = p + 4;
          dataLength = length;
        }
        p += 4 + ((length + 3) & ~3);
      }
      return peerIpLength > 0 && dataOffset >= 0;
    }
  }

  /** Bytes a Data indication puts before the payload, for a peer of this IP length. */
  public static int dataIndicationPrefix(int ipLength) {
    return HEADER + 4 + 4 + ipLength + 4;
  }

  /**
   * Writes a Data indication header in front of a payload already in {@code b} at {@code payloadOffset};
   * returns the offset where the message starts. Trailing padding is written after the payload.
   */
  public static int writeDataIndication(ByteBuffer b, int payloadOffset, int payloadLength, byte[] peerIp,
                                        int peerPort, long transaction) {
    int start = payloadOffset - dataIndicationPrefix(peerIp.length);
    int padding = (4 - (payloadLength & 3)) & 3;
    int bodyLength = 8 + peerIp.length + 4 + payloadLength + padding;
    b.putShort(start, (short) DATA_INDICATION);
    b.putShort(start + 2, (short) bodyLength);
    b.putInt(start + 4, MAGIC_COOKIE);
    b.putInt(start + 8, 0x5342_0000); // "SB": transaction ids of indications are ours to choose
    b.putLong(start + 12, transaction);
    int p = start + HEADER;
    b.putShort(p, (short) ATTR_XOR_PEER_ADDRESS);
    b.putShort(p + 2, (short) (4 + peerIp.length));
    b.put(p + 4, (byte) 0);
    b.put(p + 5, (byte) (peerIp.length == 4 ? 1 : 2));
    b.putShort(p + 6, (short) (peerPort ^ (MAGIC_COOKIE >>> 16)));
    for (int i = 0; i < peerIp.length; i++) {
      int mask = i < 4 ? (MAGIC_COOKIE >>> (24 - 8 * i)) & 0xff : b.get(start + 8 + (i - 4));
      b.put(p + 8 + i, (byte) (peerIp[i] ^ mask));
    }
    p += 8 + peerIp.length;
    b.putShort(p, (short) ATTR_DATA);
    b.putShort(p + 2, (short) payloadLength);
    for (int i = 0; i < padding; i++) {
      b.put(payloadOffset + payloadLength + i, (byte) 0);
    }
    return start;
  }
}

package dev.switchboard.media.transport;

import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.attribute.XorMappedAddressAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * What a browser sends and how its answers are checked, for the specs: requests are built with ice4j's factories,
 * MESSAGE-INTEGRITY and FINGERPRINT are computed here (not with the code under test), answers are decoded by
 * ice4j.
 */
final class StunChecks {
  private static final int SOFTWARE = 0x8022;
  private static final java.util.Random RANDOM = new java.util.Random(7);

  private StunChecks() {
  }

  enum Role { CONTROLLING, CONTROLLED, NONE }

  /** A Binding check as Chrome sends it: USERNAME, PRIORITY, role, USE-CANDIDATE if asked, MI, FINGERPRINT. */
  static byte[] check(String username, String pwd, boolean useCandidate, Role role) {
    Request request = MessageFactory.createBindingRequest();
    transaction(request);
    request.putAttribute(AttributeFactory.createUsernameAttribute(username));
    request.putAttribute(AttributeFactory.createPriorityAttribute(1853824767L));
    if (role == Role.CONTROLLING) {
      request.putAttribute(AttributeFactory.createIceControllingAttribute(0x1234_5678_9abc_def0L));
    } else if (role == Role.CONTROLLED) {
      request.putAttribute(AttributeFactory.createIceControlledAttribute(0x1234_5678_9abc_def0L));
    }
    if (useCandidate) {
      request.putAttribute(AttributeFactory.createUseCandidateAttribute());
    }
    return signed(withoutSoftware(request.encode(null)), pwd);
  }

  static byte[] check(String username, String pwd, boolean useCandidate) {
    return check(username, pwd, useCandidate, Role.CONTROLLING);
  }

  static byte[] indication() {
    Message indication = MessageFactory.createBindingIndication();
    transaction(indication);
    byte[] msg = withoutSoftware(indication.encode(null));
    return signed(msg, null);
  }

  private static void transaction(Message message) {
    byte[] id = new byte[12];
    RANDOM.nextBytes(id);
    try {
      message.setTransactionID(id);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Appends MESSAGE-INTEGRITY (when pwd is given) and FINGERPRINT, RFC 8489 §14.5 and §14.7. */
  static byte[] signed(byte[] msg, String pwd) {
    if (pwd != null) {
      byte[] withMi = Arrays.copyOf(msg, msg.length + 24);
      setLength(withMi);
      byte[] mac = hmac(pwd, Arrays.copyOf(withMi, msg.length));
      withMi[msg.length + 1] = 0x08;
      withMi[msg.length + 3] = 20;
      System.arraycopy(mac, 0, withMi, msg.length + 4, 20);
      msg = withMi;
    }
    byte[] withFp = Arrays.copyOf(msg, msg.length + 8);
    setLength(withFp);
    CRC32 crc = new CRC32();
    crc.update(withFp, 0, msg.length);
    withFp[msg.length] = (byte) 0x80;
    withFp[msg.length + 1] = 0x28;
    withFp[msg.length + 3] = 4;
    ByteBuffer.wrap(withFp, msg.length + 4, 4).putInt((int) crc.getValue() ^ 0x5354554e);
    return withFp;
  }

  /** The answer's MESSAGE-INTEGRITY is right for this pwd and its FINGERPRINT is last and right. */
  static boolean verifies(byte[] answer, String pwd) {
    int mi = -1;
    int fp = -1;
    for (int p = 20; p + 4 <= answer.length; ) {
      int type = ((answer[p] & 0xff) << 8) | (answer[p + 1] & 0xff);
      int length = ((answer[p + 2] & 0xff) << 8) | (answer[p + 3] & 0xff);
      if (type == 0x0008) {
        mi = p;
      } else if (type == 0x8028) {
        fp = p;
      }
      p += 4 + ((length + 3) & ~3);
    }
    if (mi < 0 || fp != answer.length - 8 || fp != mi + 24) {
      return false;
    }
    byte[] covered = Arrays.copyOf(answer, mi);
    int lengthToMi = mi + 24 - 20;
    covered[2] = (byte) (lengthToMi >> 8);
    covered[3] = (byte) lengthToMi;
    boolean integrity = MessageDigest.isEqual(hmac(pwd, covered), Arrays.copyOfRange(answer, mi + 4, mi + 24));
    CRC32 crc = new CRC32();
    crc.update(answer, 0, fp);
    return integrity && ((int) crc.getValue() ^ 0x5354554e) == ByteBuffer.wrap(answer, fp + 4, 4).getInt();
  }

  static Message decode(byte[] answer) {
    try {
      return Message.decode(answer, 0, answer.length);
    } catch (Exception e) {
      throw new AssertionError("the answer does not decode", e);
    }
  }

  /** The address the answer's XOR-MAPPED-ADDRESS tells, decoded by ice4j. */
  static InetSocketAddress mapped(byte[] answer) {
    Message message = decode(answer);
    XorMappedAddressAttribute xor = (XorMappedAddressAttribute) message.getAttribute(Attribute.XOR_MAPPED_ADDRESS);
    return xor.getAddress(message.getTransactionID());
  }

  static int errorCode(byte[] answer) {
    ErrorCodeAttribute error = (ErrorCodeAttribute) decode(answer).getAttribute(Attribute.ERROR_CODE);
    return error == null ? 0 : error.getErrorCode();
  }

  static int type(byte[] answer) {
    return ((answer[0] & 0xff) << 8) | (answer[1] & 0xff);
  }

  /** Same transaction: bytes 8-19 of the request and the answer. */
  static boolean sameTransaction(byte[] request, byte[] answer) {
    return Arrays.equals(request, 8, 20, answer, 8, 20);
  }

  private static byte[] withoutSoftware(byte[] msg) {
    for (int p = 20; p + 4 <= msg.length; ) {
      int type = ((msg[p] & 0xff) << 8) | (msg[p + 1] & 0xff);
      int size = 4 + (((((msg[p + 2] & 0xff) << 8) | (msg[p + 3] & 0xff)) + 3) & ~3);
      if (type == SOFTWARE) {
        byte[] out = new byte[msg.length - size];
        System.arraycopy(msg, 0, out, 0, p);
        System.arraycopy(msg, p + size, out, p, msg.length - p - size);
        setLength(out);
        return out;
      }
      p += size;
    }
    return msg;
  }

  private static void setLength(byte[] msg) {
    int length = msg.length - 20;
    msg[2] = (byte) (length >> 8);
    msg[3] = (byte) length;
  }

  private static byte[] hmac(String pwd, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(pwd.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return mac.doFinal(data);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}

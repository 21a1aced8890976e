package dev.switchboard.media.transport;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.logging.Logger;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;
import org.jitsi.utils.ByteArrayBuffer;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * SRTP and SRTCP (RFC 3711, RFC 7714 for GCM) for one participant, in place, on jitsi-srtp: one crypto context
 * per SSRC and direction, derived on first use from the DTLS-exported master keys.
 *
 * <p>Room: protecting grows a packet, so callers leave {@link #RTP_ROOM} (16) bytes free after an RTP packet
 * and {@link #RTCP_ROOM} (20: the tag plus the 4-byte E flag and SRTCP index) after an RTCP one; without the
 * room protect returns -1. Every method returns the new length, or -1 when the packet is refused
 * (authentication or replay failure, malformed, no room, too many SSRCs).
 *
 * <p>SSRCs: at most {@code maxSsrcs} per direction and kind. An inbound SSRC is remembered only after its
 * first packet authenticated, so forged packets cannot use up the slots.
 *
 * <p>Not thread-safe: owned by the packet thread, like everything on the packet path. No per-packet
 * allocation: one reusable buffer view wraps the caller's array.
 */
public final class SrtpSession implements AutoCloseable {
  /** Bytes to leave free after an RTP packet for {@link #protectRtp} (GCM tag; HMAC-SHA1-80 needs 10). */
  public static final int RTP_ROOM = 16;
  /** Bytes to leave free after an RTCP packet for {@link #protectRtcp}: tag plus E flag and index. */
  public static final int RTCP_ROOM = 20;
  public static final int DEFAULT_MAX_SSRCS = 64;

  private static final Logger LOG = Logger.getLogger(SrtpSession.class.getName());
  private static final org.jitsi.utils.logging2.Logger JITSI_LOG = new LoggerImpl(SrtpSession.class.getName());
  private static final String BACKEND = detectBackend();

  private final SrtpProfile profile;
  private final SrtpContextFactory outbound;
  private final SrtpContextFactory inbound;
  private final SsrcTable<SrtpCryptoContext> sendRtp;
  private final SsrcTable<SrtpCryptoContext> receiveRtp;
  private final SsrcTable<SrtcpCryptoContext> sendRtcp;
  private final SsrcTable<SrtcpCryptoContext> receiveRtcp;
  private final View view = new View();
  private boolean closed;

  /** The node's side: sends with the DTLS server's key, receives with the client's. */
  public static SrtpSession forServer(SrtpKeys keys) {
    return new SrtpSession(keys, true, DEFAULT_MAX_SSRCS);
  }

  /** The browser's side (keys mirrored), for specs and a load client. */
  public static SrtpSession forClient(SrtpKeys keys) {
    return new SrtpSession(keys, false, DEFAULT_MAX_SSRCS);
  }

  public SrtpSession(SrtpKeys keys, boolean dtlsServer, int maxSsrcs) {
    if (maxSsrcs < 1) {
      throw new IllegalArgumentException("maxSsrcs must be positive");
    }
    this.profile = keys.profile();
    this.sendRtp = new SsrcTable<>(maxSsrcs);
    this.receiveRtp = new SsrcTable<>(maxSsrcs);
    this.sendRtcp = new SsrcTable<>(maxSsrcs);
    this.receiveRtcp = new SsrcTable<>(maxSsrcs);
    byte[] sendKey = dtlsServer ? keys.serverKey() : keys.clientKey();
    byte[] sendSalt = dtlsServer ? keys.serverSalt() : keys.clientSalt();
    byte[] receiveKey = dtlsServer ? keys.clientKey() : keys.serverKey();
    byte[] receiveSalt = dtlsServer ? keys.clientSalt() : keys.serverSalt();
    this.outbound = new SrtpContextFactory(true, sendKey, sendSalt, policy(profile), policy(profile), JITSI_LOG);
    this.inbound = new SrtpContextFactory(false, receiveKey, receiveSalt, policy(profile), policy(profile), JITSI_LOG);
  }

  public SrtpProfile profile() {
    return profile;
  }

  /**
   * Which AES/HMAC implementation jitsi-srtp runs on here: its OpenSSL JNI library when it loaded, else the
   * JCE providers (it picks the fastest of SunJCE and BouncyCastle by a start-up benchmark).
   */
  public static String backend() {
    return BACKEND;
  }

  /** Encrypts and authenticates an RTP packet in place; needs {@link #RTP_ROOM} bytes after it. */
  public int protectRtp(byte[] buf, int off, int len) {
    if (closed || !fits(buf, off, len, profile.rtpTagLength) || rtpHeaderLength(buf, off, len) < 0) {
      return -1;
    }
    try {
      int ssrc = ssrcAt(buf, off + 8);
      SrtpCryptoContext context = sendRtp.get(ssrc);
      if (context == null) {
        if (sendRtp.isFull()) {
          return -1;
        }
        context = outbound.deriveContext(ssrc, 0);
        sendRtp.put(ssrc, context);
      }
      return protectedLength(context.transformPacket(view.wrap(buf, off, len)), len + profile.rtpTagLength);
    } catch (GeneralSecurityException | RuntimeException e) {
      return -1;
    }
  }

  /** Authenticates, replay-checks and decrypts an SRTP packet in place. */
  public int unprotectRtp(byte[] buf, int off, int len) {
    if (closed || !fits(buf, off, len, 0) || len < 12 + profile.rtpTagLength) {
      return -1;
    }
    int ssrc = ssrcAt(buf, off + 8);
    try {
      SrtpCryptoContext context = receiveRtp.get(ssrc);
      boolean known = context != null;
      if (!known) {
        if (receiveRtp.isFull()) {
          return -1;
        }
        context = inbound.deriveContext(ssrc, 0);
      }
      if (context.reverseTransformPacket(view.wrap(buf, off, len), false) != SrtpErrorStatus.OK) {
        return -1;
      }
      if (!known) {
        receiveRtp.put(ssrc, context);
      }
      return view.length;
    } catch (GeneralSecurityException | RuntimeException e) {
      return -1;
    }
  }

  /** Encrypts and authenticates a (compound) RTCP packet in place; needs {@link #RTCP_ROOM} bytes after it. */
  public int protectRtcp(byte[] buf, int off, int len) {
    if (closed || !fits(buf, off, len, profile.rtcpTagLength + 4) || len < 8) {
      return -1;
    }
    int ssrc = ssrcAt(buf, off + 4);
    try {
      SrtcpCryptoContext context = sendRtcp.get(ssrc);
      if (context == null) {
        if (sendRtcp.isFull()) {
          return -1;
        }
        context = outbound.deriveControlContext(ssrc);
        sendRtcp.put(ssrc, context);
      }
      return protectedLength(context.transformPacket(view.wrap(buf, off, len)), len + 4 + profile.rtcpTagLength);
    } catch (GeneralSecurityException | RuntimeException e) {
      return -1;
    }
  }

  /** Authenticates, replay-checks and decrypts an SRTCP packet in place. */
  public int unprotectRtcp(byte[] buf, int off, int len) {
    if (closed || !fits(buf, off, len, 0) || len < 8 + 4 + profile.rtcpTagLength) {
      return -1;
    }
    int ssrc = ssrcAt(buf, off + 4);
    try {
      SrtcpCryptoContext context = receiveRtcp.get(ssrc);
      boolean known = context != null;
      if (!known) {
        if (receiveRtcp.isFull()) {
          return -1;
        }
        context = inbound.deriveControlContext(ssrc);
      }
      if (context.reverseTransformPacket(view.wrap(buf, off, len)) != SrtpErrorStatus.OK) {
        return -1;
      }
      if (!known) {
        receiveRtcp.put(ssrc, context);
      }
      return view.length;
    } catch (GeneralSecurityException | RuntimeException e) {
      return -1;
    }
  }

  /** Forgets every context and wipes the master keys; later calls return -1. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      sendRtp.clear();
      receiveRtp.clear();
      sendRtcp.clear();
      receiveRtcp.clear();
      outbound.close();
      inbound.close();
    }
  }

  private static SrtpPolicy policy(SrtpProfile profile) {
    SrtpPolicy policy = switch (profile) {
      case AES_CM_128_HMAC_SHA1_80 -> new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, profile.keyLength,
          SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, profile.rtpTagLength, profile.saltLength);
      case AEAD_AES_128_GCM -> new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, profile.keyLength,
          SrtpPolicy.NULL_AUTHENTICATION, 0, profile.rtpTagLength, profile.saltLength);
    };
    // An SFU re-sends cached packets with their old sequence numbers (NACK answers without RTX); jitsi's
    // sender-side replay check would refuse those. Receive-side replay protection stays on.
    policy.setSendReplayEnabled(false);
    return policy;
  }

  /**
   * jitsi-srtp ignores a failed GCM encryption and reports OK with the packet unchanged; a packet that did
   * not grow by exactly its tag was not protected and must not leave the node.
   */
  private int protectedLength(SrtpErrorStatus status, int expected) {
    return status == SrtpErrorStatus.OK && view.length == expected ? expected : -1;
  }

  private static boolean fits(byte[] buf, int off, int len, int room) {
    return buf != null && off >= 0 && len > 0 && len <= buf.length - off && room <= buf.length - off - len;
  }

  /** The RTP header length (fixed part, CSRCs, extension) when it fits in len, else -1. */
  static int rtpHeaderLength(byte[] buf, int off, int len) {
    if (len < 12 || (buf[off] & 0xc0) != 0x80) {
      return -1;
    }
    int length = 12 + 4 * (buf[off] & 0x0f);
    if ((buf[off] & 0x10) != 0) {
      if (length + 4 > len) {
        return -1;
      }
      length += 4 + 4 * (((buf[off + length + 2] & 0xff) << 8) | (buf[off + length + 3] & 0xff));
    }
    return length <= len ? length : -1;
  }

  private static int ssrcAt(byte[] buf, int at) {
    return ((buf[at] & 0xff) << 24) | ((buf[at + 1] & 0xff) << 16) | ((buf[at + 2] & 0xff) << 8) | (buf[at + 3] & 0xff);
  }

  private static String detectBackend() {
    String backend;
    try {
      backend = JitsiOpenSslProvider.isLoaded() ? "OpenSSL (jitsisrtp JNI)" : "JCE (jitsisrtp JNI not loaded)";
    } catch (Throwable e) { // LinkageError: its loader needs JNA, which this build leaves out
      backend = "JCE (jitsisrtp JNI unavailable: " + e.getClass().getSimpleName() + ")";
    }
    LOG.info("SRTP backend: " + backend);
    return backend;
  }

  /** jitsi-srtp's buffer type over the caller's array: never reallocates, so work stays in place. */
  private static final class View implements ByteArrayBuffer {
    private byte[] buf;
    private int offset;
    private int length;

    View wrap(byte[] buf, int offset, int length) {
      this.buf = buf;
      this.offset = offset;
      this.length = length;
      return this;
    }

    @Override
    public byte[] getBuffer() {
      return buf;
    }

    @Override
    public int getOffset() {
      return offset;
    }

    @Override
    public int getLength() {
      return length;
    }

    @Override
    public void setLength(int length) {
      if (length < 0 || length > buf.length - offset) {
        throw NoRoom.INSTANCE;
      }
      this.length = length;
    }

    @Override
    public void setOffset(int offset) {
      if (offset < 0 || offset > buf.length - length) {
        throw NoRoom.INSTANCE;
      }
      this.offset = offset;
    }

    @Override
    public boolean isInvalid() {
      return false;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] out) {
      System.arraycopy(buf, offset + off, out, 0, len);
    }

    /** The caller left room (checked before protecting); growing beyond it would leave the caller's array. */
    @Override
    public void grow(int howMuch) {
      if (howMuch > buf.length - offset - length) {
        throw NoRoom.INSTANCE;
      }
    }

    @Override
    public void append(byte[] data, int len) {
      grow(len);
      System.arraycopy(data, 0, buf, offset + length, len);
      length += len;
    }

    @Override
    public void shrink(int len) {
      if (len > 0) {
        length = Math.max(0, length - len);
      }
    }
  }

  /**
   * SSRC to context, a linear scan over at most maxSsrcs ints: no boxing per packet, and a participant has
   * a handful of SSRCs (audio, video layers, RTX), so the scan is shorter than hashing would be.
   */
  private static final class SsrcTable<T> {
    private final int[] ssrcs;
    private final Object[] contexts;
    private int size;

    SsrcTable(int capacity) {
      ssrcs = new int[capacity];
      contexts = new Object[capacity];
    }

    @SuppressWarnings("unchecked")
    T get(int ssrc) {
      for (int i = 0; i < size; i++) {
        if (ssrcs[i] == ssrc) {
          return (T) contexts[i];
        }
      }
      return null;
    }

    boolean isFull() {
      return size == ssrcs.length;
    }

    void put(int ssrc, T context) {
      ssrcs[size] = ssrc;
      contexts[size++] = context;
    }

    void clear() {
      Arrays.fill(contexts, null);
      size = 0;
    }
  }

  /** Thrown without a stack trace and caught above: a packet without room is refused, not logged. */
  private static final class NoRoom extends RuntimeException {
    static final NoRoom INSTANCE = new NoRoom();

    private NoRoom() {
      super("no room after the packet", null, false, false);
    }
  }
}

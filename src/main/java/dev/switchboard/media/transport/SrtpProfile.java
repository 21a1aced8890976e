package dev.switchboard.media.transport;

/**
 * The DTLS-SRTP protection profiles the node speaks (RFC 5764 §4.1.2, RFC 7714 §14.2). It prefers
 * AEAD_AES_128_GCM (one pass for encryption and authentication, hardware accelerated) and falls back to
 * AES_CM_128_HMAC_SHA1_80 for clients without GCM. The 32-bit-tag and NULL profiles are
 * deliberately absent: WebRTC forbids NULL and browsers no longer offer _32 for video.
 */
public enum SrtpProfile {
  AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14, 10, 10),
  AEAD_AES_128_GCM(0x0007, 16, 12, 16, 16);

  /** The node's preference when a client offers several. */
  private static final SrtpProfile[] PREFERENCE = {AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80};

  /** The protection-profile id in the use_srtp extension. */
  public final int id;
  /** Master key length in bytes. */
  public final int keyLength;
  /** Master salt length in bytes (RFC 7714 §12: 12 for GCM; RFC 3711: 14 for AES-CM). */
  public final int saltLength;
  /** Bytes an SRTP packet grows by (the authentication tag; for GCM the AEAD tag). */
  public final int rtpTagLength;
  /** Bytes an SRTCP packet grows by besides the 4-byte E flag and index. */
  public final int rtcpTagLength;

  SrtpProfile(int id, int keyLength, int saltLength, int rtpTagLength, int rtcpTagLength) {
    this.id = id;
    this.keyLength = keyLength;
    this.saltLength = saltLength;
    this.rtpTagLength = rtpTagLength;
    this.rtcpTagLength = rtcpTagLength;
  }

  /** The profile with this use_srtp id, or null when the node does not support it. */
  public static SrtpProfile ofId(int id) {
    for (SrtpProfile profile : values()) {
      if (profile.id == id) {
        return profile;
      }
    }
    return null;
  }

  /**
   * The profile the node picks from a client's offered ids: its own preference order wins over the client's
   * (Chrome lists AES_CM before GCM, yet GCM is cheaper and as safe); null when none is supported.
   */
  public static SrtpProfile choose(int[] offeredIds) {
    if (offeredIds == null) {
      return null;
    }
    for (SrtpProfile profile : PREFERENCE) {
      for (int id : offeredIds) {
        if (id == profile.id) {
          return profile;
        }
      }
    }
    return null;
  }

  /** Bytes of keying material to export (RFC 5764 §4.2): both keys and both salts. */
  public int keyingMaterialLength() {
    return 2 * (keyLength + saltLength);
  }
}

package dev.switchboard.turn;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Stateless nonces: 8 hex digits of issue time plus 16 hex digits of HMAC-SHA256 over the time and
 * the client's address. Nothing is stored per source before MESSAGE-INTEGRITY verifies, so spoofed
 * Allocates cost no memory.
 */
public final class NonceService {
  private final byte[] key = new byte[32];
  private final long maxAgeSeconds;

  public NonceService(long maxAgeSeconds) {
    new SecureRandom().nextBytes(key);
    this.maxAgeSeconds = maxAgeSeconds;
  }

  public String issue(InetSocketAddress client, long nowSeconds) {
    String time = String.format("%08x", nowSeconds & 0xffffffffL);
    return time + mac(client, time);
  }

  public enum Check { VALID, STALE, INVALID }

  public Check check(String nonce, InetSocketAddress client, long nowSeconds) {
    if (nonce == null || nonce.length() != 24) {
      return Check.INVALID;
    }
    String time = nonce.substring(0, 8);
    if (!MessageDigest.isEqual(mac(client, time).getBytes(StandardCharsets.US_ASCII),
        nonce.substring(8).getBytes(StandardCharsets.US_ASCII))) {
      return Check.INVALID;
    }
    long issued;
    try {
      issued = Long.parseLong(time, 16);
    } catch (NumberFormatException e) {
      return Check.INVALID;
    }
    long age = (nowSeconds & 0xffffffffL) - issued;
    return age < -5 || age > maxAgeSeconds ? Check.STALE : Check.VALID;
  }

  private String mac(InetSocketAddress client, String time) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal((client.getAddress().getHostAddress() + ":" + client.getPort() + "|" + time)
          .getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}

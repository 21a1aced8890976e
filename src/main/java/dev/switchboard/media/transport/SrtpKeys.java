package dev.switchboard.media.transport;

import java.util.Arrays;
import java.util.Objects;

/**
 * The SRTP master keys and salts of one DTLS association, split from the exported keying material as RFC 5764
 * §4.2 lays it out: client_write_key | server_write_key | client_write_salt | server_write_salt. The node is
 * always the DTLS server, so it sends with the server half and receives with the client half; the arrays are
 * copies, and equality compares contents (two ends of one handshake hold equal keys).
 */
public record SrtpKeys(SrtpProfile profile, byte[] clientKey, byte[] clientSalt, byte[] serverKey,
    byte[] serverSalt) {
  /** The RFC 5705 exporter label of DTLS-SRTP (RFC 5764 §4.2). */
  public static final String EXPORTER_LABEL = "EXTRACTOR-dtls_srtp";

  public SrtpKeys {
    Objects.requireNonNull(profile, "profile");
    clientKey = checked(clientKey, profile.keyLength, "clientKey");
    clientSalt = checked(clientSalt, profile.saltLength, "clientSalt");
    serverKey = checked(serverKey, profile.keyLength, "serverKey");
    serverSalt = checked(serverSalt, profile.saltLength, "serverSalt");
  }

  /** Splits {@code profile.keyingMaterialLength()} exported bytes. */
  public static SrtpKeys fromKeyingMaterial(SrtpProfile profile, byte[] material) {
    if (material.length != profile.keyingMaterialLength()) {
      throw new IllegalArgumentException("keying material is " + material.length + " bytes, "
          + profile + " needs " + profile.keyingMaterialLength());
    }
    int k = profile.keyLength;
    int s = profile.saltLength;
    return new SrtpKeys(profile, Arrays.copyOfRange(material, 0, k), Arrays.copyOfRange(material, 2 * k, 2 * k + s),
        Arrays.copyOfRange(material, k, 2 * k), Arrays.copyOfRange(material, 2 * k + s, 2 * k + 2 * s));
  }

  @Override
  public byte[] clientKey() {
    return clientKey.clone();
  }

  @Override
  public byte[] clientSalt() {
    return clientSalt.clone();
  }

  @Override
  public byte[] serverKey() {
    return serverKey.clone();
  }

  @Override
  public byte[] serverSalt() {
    return serverSalt.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SrtpKeys k && profile == k.profile && Arrays.equals(clientKey, k.clientKey)
        && Arrays.equals(clientSalt, k.clientSalt) && Arrays.equals(serverKey, k.serverKey)
        && Arrays.equals(serverSalt, k.serverSalt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(profile, Arrays.hashCode(clientKey), Arrays.hashCode(serverKey));
  }

  /** Never the key bytes: keys must not reach logs. */
  @Override
  public String toString() {
    return "SrtpKeys[" + profile + "]";
  }

  private static byte[] checked(byte[] bytes, int length, String name) {
    Objects.requireNonNull(bytes, name);
    if (bytes.length != length) {
      throw new IllegalArgumentException(name + " must be " + length + " bytes, not " + bytes.length);
    }
    return bytes.clone();
  }
}

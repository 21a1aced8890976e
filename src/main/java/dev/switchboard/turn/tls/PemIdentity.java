package dev.switchboard.turn.tls;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A server certificate chain and its private key, from PEM, checked to belong together: a renewal written
 * as two files is seen half-done at times (new certificate, old key), and serving that pair would fail
 * every handshake until the next check.
 *
 * @param fingerprint SHA-256 of the leaf certificate (DER), hex: what changed between two reads
 * @param notAfter    when the leaf certificate expires
 */
public record PemIdentity(Buffer certificatePem, Buffer keyPem, String fingerprint, Instant notAfter) {

  /** The Vert.x options that serve this identity (a TLS server, or an SSL options update of a running one). */
  public PemKeyCertOptions keyCertOptions() {
    return new PemKeyCertOptions().setCertValue(certificatePem).setKeyValue(keyPem);
  }

  /**
   * Parses and checks a pair; blocking only in the sense of CPU (no I/O).
   *
   * @throws TlsFilesException when either does not parse or the key is not the certificate's
   */
  public static PemIdentity of(Vertx vertx, Buffer certificatePem, Buffer keyPem) {
    PemKeyCertOptions options = new PemKeyCertOptions().setCertValue(certificatePem).setKeyValue(keyPem);
    X509KeyManager keys;
    try {
      KeyManagerFactory factory = options.getKeyManagerFactory(vertx);
      keys = firstX509(factory.getKeyManagers());
    } catch (Exception e) {
      throw new TlsFilesException("certificate or key does not parse: " + e.getMessage());
    }
    String alias = firstAlias(keys);
    X509Certificate[] chain = keys.getCertificateChain(alias);
    PrivateKey key = keys.getPrivateKey(alias);
    if (chain == null || chain.length == 0 || key == null) {
      throw new TlsFilesException("no certificate chain with a private key in the PEM files");
    }
    if (!belongTogether(key, chain[0].getPublicKey())) {
      throw new TlsFilesException("the private key is not the certificate's (a renewal half written?)");
    }
    return new PemIdentity(certificatePem, keyPem, fingerprint(chain[0]), chain[0].getNotAfter().toInstant());
  }

  private static X509KeyManager firstX509(KeyManager[] managers) {
    for (KeyManager manager : managers) {
      if (manager instanceof X509KeyManager x509) {
        return x509;
      }
    }
    throw new TlsFilesException("no X.509 key manager");
  }

  private static String firstAlias(X509KeyManager keys) {
    for (String type : new String[] {"EC", "RSA", "EdDSA", "Ed25519", "RSASSA-PSS"}) {
      String[] aliases = keys.getServerAliases(type, null);
      if (aliases != null && aliases.length > 0) {
        return aliases[0];
      }
    }
    throw new TlsFilesException("no usable server key (EC, RSA or EdDSA)");
  }

  /** Signs a random challenge with the key and verifies it with the certificate's public key. */
  private static boolean belongTogether(PrivateKey key, PublicKey certified) {
    String algorithm = switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      case "EdDSA", "Ed25519" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null || !key.getAlgorithm().equals(certified.getAlgorithm())
        && !(key.getAlgorithm().startsWith("Ed") && certified.getAlgorithm().startsWith("Ed"))) {
      return false;
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (Exception e) {
      return false;
    }
  }

  private static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new TlsFilesException("certificate cannot be encoded: " + e.getMessage());
    }
  }
}

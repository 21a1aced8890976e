package dev.switchboard.media.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;

import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The media node's one DTLS identity: a self-signed ECDSA P-256 certificate made at start-up. WebRTC trusts
 * it through its fingerprint in the SDP (RFC 8122), not through a CA, so the subject is a random CN and the
 * certificate lives only as long as the process: a restarted node has a new fingerprint, which every new
 * offer/answer carries anyway. P-256 because every browser accepts it and its handshakes are cheap.
 */
public final class NodeCertificate {
  /** Browsers compare clocks loosely; a month back covers a skewed peer, a year ahead outlives any node. */
  static final Duration VALID_BEFORE = Duration.ofDays(30);
  static final Duration VALID_AFTER = Duration.ofDays(365);

  private final BcTlsCrypto crypto;
  private final AsymmetricKeyParameter privateKey;
  private final Certificate certificate;
  private final String fingerprint;

  private NodeCertificate(BcTlsCrypto crypto, AsymmetricKeyParameter privateKey, Certificate certificate) {
    this.crypto = crypto;
    this.privateKey = privateKey;
    this.certificate = certificate;
    this.fingerprint = fingerprintOf(certificate);
  }

  /** Generates a fresh key pair and certificate (a few milliseconds; once per node). */
  public static NodeCertificate generate() {
    SecureRandom random = new SecureRandom();
    BcTlsCrypto crypto = new BcTlsCrypto(random);
    ECNamedDomainParameters p256 = ECNamedDomainParameters.lookup(SECObjectIdentifiers.secp256r1);
    ECKeyPairGenerator generator = new ECKeyPairGenerator();
    generator.init(new ECKeyGenerationParameters(p256, random));
    AsymmetricCipherKeyPair keys = generator.generateKeyPair();
    try {
      byte[] cn = new byte[8];
      random.nextBytes(cn);
      X500Name name = new X500Name("CN=switchboard-" + HexFormat.of().formatHex(cn));
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, new BigInteger(63, random).add(BigInteger.ONE),
          Date.from(now.minus(VALID_BEFORE)), Date.from(now.plus(VALID_AFTER)), name,
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keys.getPublic()));
      AlgorithmIdentifier signatureAlgorithm = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
      AlgorithmIdentifier digestAlgorithm = new DefaultDigestAlgorithmIdentifierFinder().find(signatureAlgorithm);
      X509CertificateHolder holder =
          builder.build(new BcECContentSignerBuilder(signatureAlgorithm, digestAlgorithm).build(keys.getPrivate()));
      TlsCertificate tlsCertificate = crypto.createCertificate(holder.getEncoded());
      return new NodeCertificate(crypto, keys.getPrivate(), new Certificate(new TlsCertificate[] {tlsCertificate}));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("ECDSA signer unavailable", e);
    }
  }

  /** The SDP {@code a=fingerprint} value of this certificate: {@code "sha-256 AB:CD:..."}. */
  public String fingerprint() {
    return fingerprint;
  }

  /** The crypto every handshake of this node runs on (BcTlsCrypto is thread-safe: its SecureRandom is). */
  public BcTlsCrypto crypto() {
    return crypto;
  }

  /** The certificate chain (one self-signed certificate) bctls sends. */
  public Certificate certificate() {
    return certificate;
  }

  /**
   * The signing credentials for one handshake: ecdsa_secp256r1_sha256, which every DTLS 1.2 client offers in
   * signature_algorithms (it is the only scheme a P-256 key and SHA-256 give; browsers list it first).
   */
  public TlsCredentialedSigner signer(TlsContext context) {
    return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, privateKey, certificate,
        SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
  }

  /** The SHA-256 fingerprint of a peer's end-entity certificate in SDP form; "" for an empty chain. */
  public static String fingerprintOf(Certificate chain) {
    return fingerprintOf(chain, "sha-256");
  }

  /**
   * The fingerprint of a peer's end-entity certificate with the hash an SDP names (RFC 8122 §5: sha-1,
   * sha-224, sha-256, sha-384, sha-512); "" for an empty chain or an unknown hash.
   */
  public static String fingerprintOf(Certificate chain, String hashName) {
    if (chain == null || chain.isEmpty()) {
      return "";
    }
    String algorithm = hashName.toLowerCase(Locale.ROOT);
    String javaName = switch (algorithm) {
      case "sha-1" -> "SHA-1";
      case "sha-224" -> "SHA-224";
      case "sha-256" -> "SHA-256";
      case "sha-384" -> "SHA-384";
      case "sha-512" -> "SHA-512";
      default -> null;
    };
    if (javaName == null) {
      return "";
    }
    try {
      byte[] digest = MessageDigest.getInstance(javaName).digest(chain.getCertificateAt(0).getEncoded());
      return algorithm + " " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (IOException e) {
      return "";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Whether a peer's chain has the fingerprint its SDP announced ({@code "sha-256 ab:cd:..."}): the hash
   * name and hex are compared case-insensitively (RFC 8122 §5 allows either case), surrounding blanks ignored.
   */
  public static boolean matches(Certificate chain, String expectedFingerprint) {
    if (expectedFingerprint == null) {
      return false;
    }
    String expected = expectedFingerprint.trim();
    int space = expected.indexOf(' ');
    if (space <= 0) {
      return false;
    }
    String actual = fingerprintOf(chain, expected.substring(0, space));
    String normalized = expected.substring(0, space) + " " + expected.substring(space + 1).trim();
    return !actual.isEmpty() && MessageDigest.isEqual(actual.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
        normalized.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }
}

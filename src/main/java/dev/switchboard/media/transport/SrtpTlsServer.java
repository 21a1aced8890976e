package dev.switchboard.media.transport;

import java.io.IOException;
import java.util.Hashtable;
import java.util.Vector;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * The bctls server side of one WebRTC DTLS-SRTP handshake (RFC 5763/5764): DTLS 1.2 only, ECDHE-ECDSA with the
 * node's certificate, a client certificate required and accepted only when its fingerprint is the one the
 * client's SDP announced (WebRTC's whole authentication), use_srtp negotiated, and the SRTP keys exported once
 * the handshake completes. One instance per handshake; bctls calls it on the handshake thread only.
 */
final class SrtpTlsServer extends DefaultTlsServer {
  private static final Logger LOG = Logger.getLogger(SrtpTlsServer.class.getName());

  /** AES-128-GCM first: what browsers negotiate and the cheapest; CBC only for old stacks. */
  private static final int[] CIPHER_SUITES = {
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
      CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
  };

  private final NodeCertificate certificate;
  private final String expectedRemoteFingerprint;
  private final long deadlineNanos;
  private SrtpProfile profile;
  private SrtpKeys keys;

  SrtpTlsServer(NodeCertificate certificate, String expectedRemoteFingerprint, long deadlineNanos) {
    super(certificate.crypto());
    this.certificate = certificate;
    this.expectedRemoteFingerprint = expectedRemoteFingerprint;
    this.deadlineNanos = deadlineNanos;
  }

  /** The exported keys; null until the handshake completed. */
  SrtpKeys keys() {
    return keys;
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    // WebRTC is DTLS 1.2 today (RFC 8827); DTLS 1.0 is long gone from browsers.
    return ProtocolVersion.DTLSv12.only();
  }

  @Override
  protected int[] getSupportedCipherSuites() {
    return TlsUtils.getSupportedCipherSuites(getCrypto(), CIPHER_SUITES);
  }

  @Override
  protected boolean preferLocalCipherSuites() {
    return true;
  }

  @Override
  protected TlsCredentialedSigner getECDSASignerCredentials() {
    return certificate.signer(context);
  }

  /** bctls's own overall timeout, so it gives up even while data trickles in; our transport enforces it too. */
  @Override
  public int getHandshakeTimeoutMillis() {
    long remaining = (deadlineNanos - System.nanoTime()) / 1_000_000;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, remaining));
  }

  /**
   * The keying-material exporter is only sound with the extended master secret (RFC 7627 §5.4); every browser
   * sends it, so a client without it is refused at once instead of failing after the handshake.
   */
  @Override
  public boolean requiresExtendedMasterSecret() {
    return true;
  }

  @Override
  public CertificateRequest getCertificateRequest() {
    // Browsers use ECDSA certificates by default; RTCPeerConnection.generateCertificate can make RSA ones.
    short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
    Vector<?> algorithms = TlsUtils.getDefaultSupportedSignatureAlgorithms(context);
    return new CertificateRequest(types, algorithms, null);
  }

  /**
   * The only client authentication WebRTC has: the certificate must hash to the SDP fingerprint. bctls checks
   * the CertificateVerify signature with this certificate afterwards, which proves the client holds its key.
   */
  @Override
  public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
    if (clientCertificate == null || clientCertificate.isEmpty()) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "the client sent no certificate");
    }
    if (!NodeCertificate.matches(clientCertificate, expectedRemoteFingerprint)) {
      throw new TlsFatalAlert(AlertDescription.bad_certificate, "client certificate "
          + NodeCertificate.fingerprintOf(clientCertificate) + " is not the one in its SDP");
    }
  }

  @Override
  public void processClientExtensions(Hashtable clientExtensions) throws IOException {
    super.processClientExtensions(clientExtensions);
    UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
    if (offered == null) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "the client offered no use_srtp");
    }
    profile = SrtpProfile.choose(offered.getProtectionProfiles());
    if (profile == null) {
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common SRTP protection profile");
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public Hashtable getServerExtensions() throws IOException {
    Hashtable extensions = super.getServerExtensions();
    // One profile, no MKI (RFC 5764 §4.1.1): the node never rekeys SRTP within one association.
    TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(new int[] {profile.id}, TlsUtils.EMPTY_BYTES));
    return extensions;
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, profile.keyingMaterialLength());
    keys = SrtpKeys.fromKeyingMaterial(profile, material);
  }

  @Override
  public void notifyAlertRaised(short level, short description, String message, Throwable cause) {
    if (LOG.isLoggable(Level.FINE)) {
      LOG.log(Level.FINE, "DTLS alert sent: " + AlertLevel.getText(level) + " " + AlertDescription.getText(description)
          + (message == null ? "" : " (" + message + ")"), cause);
    }
  }

  @Override
  public void notifyAlertReceived(short level, short description) {
    LOG.fine(() -> "DTLS alert received: " + AlertLevel.getText(level) + " " + AlertDescription.getText(description));
  }
}

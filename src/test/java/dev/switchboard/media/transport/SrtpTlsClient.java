package dev.switchboard.media.transport;

import java.io.IOException;
import java.util.Hashtable;

import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;

/**
 * The browser's side of DTLS-SRTP for specs and the media client kit: a bctls DTLS 1.2 client with its own
 * self-signed certificate that offers use_srtp and exports the SRTP keys when the handshake completes. One
 * instance per handshake (bctls keeps per-handshake state in it).
 */
public final class SrtpTlsClient extends DefaultTlsClient {
  private final NodeCertificate identity;
  private final int[] offeredProfiles;
  private final int handshakeTimeoutMillis;
  private final boolean sendsCertificate;
  private final String expectedServerFingerprint;
  private SrtpProfile selected;
  private volatile SrtpKeys keys;
  private volatile Certificate serverCertificate;

  /**
   * @param expectedServerFingerprint the node's a=fingerprint; null accepts any certificate (the DTLS specs
   *     check it themselves afterwards)
   * @param sendsCertificate false plays a client answering the CertificateRequest with an empty chain
   */
  public SrtpTlsClient(NodeCertificate identity, int[] offeredProfiles, int handshakeTimeoutMillis,
      boolean sendsCertificate, String expectedServerFingerprint) {
    super(identity.crypto());
    this.identity = identity;
    this.offeredProfiles = offeredProfiles.clone();
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    this.sendsCertificate = sendsCertificate;
    this.expectedServerFingerprint = expectedServerFingerprint;
  }

  /** The keys this side exported, or null before the handshake completed. */
  public SrtpKeys keys() {
    return keys;
  }

  /** The server's chain as received, or null before it arrived. */
  public Certificate serverCertificate() {
    return serverCertificate;
  }

  @Override
  protected ProtocolVersion[] getSupportedVersions() {
    return ProtocolVersion.DTLSv12.only();
  }

  @Override
  public int getHandshakeTimeoutMillis() {
    return handshakeTimeoutMillis;
  }

  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public Hashtable getClientExtensions() throws IOException {
    Hashtable extensions = super.getClientExtensions();
    TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(offeredProfiles, TlsUtils.EMPTY_BYTES));
    return extensions;
  }

  @Override
  @SuppressWarnings("rawtypes")
  public void processServerExtensions(Hashtable serverExtensions) throws IOException {
    super.processServerExtensions(serverExtensions);
    UseSRTPData chosen = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
    selected = chosen == null ? null : SrtpProfile.ofId(chosen.getProtectionProfiles()[0]);
  }

  @Override
  public TlsAuthentication getAuthentication() {
    return new TlsAuthentication() {
      @Override
      public void notifyServerCertificate(TlsServerCertificate certificate) throws IOException {
        serverCertificate = certificate.getCertificate();
        // The self-signed certificate is trusted only through the fingerprint signalling carried (RFC 8827 §6.5).
        if (expectedServerFingerprint != null
            && !NodeCertificate.matches(serverCertificate, expectedServerFingerprint)) {
          throw new TlsFatalAlert(AlertDescription.bad_certificate, "node certificate fingerprint "
              + NodeCertificate.fingerprintOf(serverCertificate) + " is not the expected " + expectedServerFingerprint);
        }
      }

      @Override
      public TlsCredentials getClientCredentials(CertificateRequest request) {
        return sendsCertificate ? identity.signer(context) : null;
      }
    };
  }

  @Override
  public void notifyHandshakeComplete() throws IOException {
    super.notifyHandshakeComplete();
    if (selected == null) { // WebRTC has no media without SRTP (RFC 8827 §6.5)
      throw new TlsFatalAlert(AlertDescription.handshake_failure, "server selected no SRTP profile");
    }
    byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, selected.keyingMaterialLength());
    keys = SrtpKeys.fromKeyingMaterial(selected, material);
  }
}

package dev.switchboard.media.transport;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.Date;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class NodeCertificateTest {
  private static final NodeCertificate NODE = NodeCertificate.generate();

  @Test
  void the_fingerprint_is_the_sdp_form_sha_256_with_upper_case_hex_pairs() {
    assertTrue(NODE.fingerprint().matches("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"), NODE.fingerprint());
    assertEquals(NODE.fingerprint(), NodeCertificate.fingerprintOf(NODE.certificate()));
  }

  @Test
  void the_certificate_is_a_self_signed_p256_ecdsa_one_valid_now_and_for_months() throws Exception {
    X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(NODE.certificate().getCertificateAt(0).getEncoded()));

    x509.checkValidity(new Date());
    x509.checkValidity(new Date(System.currentTimeMillis() + 180L * 24 * 3600 * 1000));
    x509.verify(x509.getPublicKey());
    assertEquals("SHA256withECDSA", x509.getSigAlgName());
    assertEquals(256, ((ECPublicKey) x509.getPublicKey()).getParams().getCurve().getField().getFieldSize());
    assertEquals(x509.getSubjectX500Principal(), x509.getIssuerX500Principal());
  }

  @Test
  void every_node_gets_its_own_certificate() {
    assertNotEquals(NODE.fingerprint(), NodeCertificate.generate().fingerprint());
  }

  @Test
  void an_sdp_fingerprint_matches_in_either_case_and_with_stray_blanks() {
    String lower = NODE.fingerprint().toLowerCase(Locale.ROOT);
    String upperAlgorithm = "SHA-256" + NODE.fingerprint().substring(7);

    assertTrue(NodeCertificate.matches(NODE.certificate(), NODE.fingerprint()));
    assertTrue(NodeCertificate.matches(NODE.certificate(), lower));
    assertTrue(NodeCertificate.matches(NODE.certificate(), upperAlgorithm));
    assertTrue(NodeCertificate.matches(NODE.certificate(), "  " + NODE.fingerprint() + " "));
  }

  @Test
  void another_certificate_a_truncated_fingerprint_or_an_unknown_hash_does_not_match() {
    String other = NodeCertificate.generate().fingerprint();
    String fp = NODE.fingerprint();

    assertFalse(NodeCertificate.matches(NODE.certificate(), other));
    assertFalse(NodeCertificate.matches(NODE.certificate(), fp.substring(0, fp.length() - 3)));
    assertFalse(NodeCertificate.matches(NODE.certificate(), "md5" + fp.substring(7)));
    assertFalse(NodeCertificate.matches(NODE.certificate(), ""));
    assertFalse(NodeCertificate.matches(NODE.certificate(), null));
  }

  @Test
  void other_sdp_hashes_are_computed_when_a_peer_names_them() {
    String sha1 = NodeCertificate.fingerprintOf(NODE.certificate(), "sha-1");

    assertTrue(sha1.matches("sha-1 ([0-9A-F]{2}:){19}[0-9A-F]{2}"), sha1);
    assertTrue(NodeCertificate.matches(NODE.certificate(), sha1));
  }
}

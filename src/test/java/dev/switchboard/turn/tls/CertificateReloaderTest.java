package dev.switchboard.turn.tls;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TURN over TLS serves what its PEM files say, renewals included, and never a half-written pair. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CertificateReloaderTest {
  private final Vertx vertx = Vertx.vertx();
  @TempDir
  Path dir;

  @AfterEach
  void close() {
    vertx.close();
  }

  /** A self-signed pair from the openssl command line, as an operator or an ACME client would leave it. */
  private static void selfSigned(Path certificate, Path key, String algorithm) throws Exception {
    String[] keyArgs = "rsa".equals(algorithm) ? new String[] {"-newkey", "rsa:2048"}
        : new String[] {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"};
    ProcessBuilder builder = new ProcessBuilder("openssl", "req", "-x509", "-nodes", "-days", "1",
        "-subj", "/CN=turn.test");
    builder.command().addAll(java.util.List.of(keyArgs));
    builder.command().addAll(java.util.List.of("-keyout", key.toString(), "-out", certificate.toString()));
    Process openssl = builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertTrue(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0, "openssl made a pair");
  }

  private static void replace(Path from, Path to) throws IOException {
    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void an_ec_or_rsa_pair_is_served_with_its_fingerprint_and_expiry() throws Exception {
    for (String algorithm : new String[] {"ec", "rsa"}) {
      Path cert = dir.resolve(algorithm + ".crt");
      Path key = dir.resolve(algorithm + ".key");
      selfSigned(cert, key, algorithm);
      PemIdentity identity = CertificateReloader.load(vertx, cert, key).current();
      assertEquals(64, identity.fingerprint().length());
      assertTrue(identity.notAfter().isAfter(java.time.Instant.now()), algorithm);
    }
  }

  @Test
  void a_key_that_is_not_the_certificates_is_refused_at_start() throws Exception {
    selfSigned(dir.resolve("a.crt"), dir.resolve("a.key"), "ec");
    selfSigned(dir.resolve("b.crt"), dir.resolve("b.key"), "ec");
    TlsFilesException refused = assertThrows(TlsFilesException.class,
        () -> CertificateReloader.load(vertx, dir.resolve("a.crt"), dir.resolve("b.key")));
    assertTrue(refused.getMessage().contains("not the certificate's"), refused.getMessage());
  }

  @Test
  void a_renewal_is_served_once_both_files_are_written_and_never_half_written() throws Exception {
    Path cert = dir.resolve("turn.crt");
    Path key = dir.resolve("turn.key");
    selfSigned(cert, key, "ec");
    selfSigned(dir.resolve("new.crt"), dir.resolve("new.key"), "ec");
    CertificateReloader reloader = CertificateReloader.load(vertx, cert, key);
    String before = reloader.current().fingerprint();
    assertEquals(Optional.empty(), reloader.check(), "nothing changed");

    replace(dir.resolve("new.crt"), cert); // the renewal's certificate is written first...
    assertEquals(Optional.empty(), reloader.check(), "...a new certificate with the old key is not served");
    assertEquals(before, reloader.current().fingerprint());
    assertEquals(1, reloader.failedReloads.sum());

    replace(dir.resolve("new.key"), key); // ...then its key
    PemIdentity renewed = reloader.check().orElseThrow();
    assertNotEquals(before, renewed.fingerprint());
    assertEquals(renewed, reloader.current());
    assertEquals(1, reloader.reloads.sum());
    assertEquals(Optional.empty(), reloader.check(), "served once");
  }

  @Test
  void files_that_vanish_keep_the_certificate_being_served() throws Exception {
    Path cert = dir.resolve("turn.crt");
    Path key = dir.resolve("turn.key");
    selfSigned(cert, key, "ec");
    CertificateReloader reloader = CertificateReloader.load(vertx, cert, key);
    String served = reloader.current().fingerprint();
    Files.delete(key);
    assertEquals(Optional.empty(), reloader.check());
    assertEquals(served, reloader.current().fingerprint());
  }
}

package dev.switchboard.support;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** A throwaway TLS identity for the relay's {@code turns:} front: a P-256 key and a 1-day certificate, by openssl. */
public final class SelfSignedCertificate {
  private SelfSignedCertificate() {
  }

  public static void write(Path certificate, Path key) throws IOException, InterruptedException {
    ExternalProcess.Result openssl = ExternalProcess.run(Duration.ofSeconds(30), "openssl", "req", "-x509", "-nodes",
        "-days", "1", "-subj", "/CN=turn.test", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-keyout", key.toString(), "-out", certificate.toString());
    if (openssl.exit() != 0) {
      throw new IllegalStateException("openssl failed (" + openssl.exit() + "):\n" + openssl.output());
    }
  }
}

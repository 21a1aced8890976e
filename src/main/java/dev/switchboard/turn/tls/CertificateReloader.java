package dev.switchboard.turn.tls;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * Keeps the served certificate in step with its PEM files: {@link #check} rereads them when their contents
 * changed, and hands back a new identity only when the leaf certificate changed and the
 * new pair is complete and consistent. Anything else (a file missing mid-rename, a half-written renewal, a
 * key that is not the certificate's) keeps the current identity and is counted, so a bad renewal never takes
 * the listener down. File reads block: call it from a worker, not an event loop.
 */
public final class CertificateReloader {
  private static final Logger LOG = Logger.getLogger(CertificateReloader.class.getName());

  private final Vertx vertx;
  private final Path certificateFile;
  private final Path keyFile;
  private PemIdentity current;
  private String lastSeen = "";
  /** Checks that found changed files that could not be served. */
  public final LongAdder failedReloads = new LongAdder();
  public final LongAdder reloads = new LongAdder();

  private CertificateReloader(Vertx vertx, Path certificateFile, Path keyFile) {
    this.vertx = vertx;
    this.certificateFile = certificateFile;
    this.keyFile = keyFile;
  }

  /** Reads the pair once; at start a bad pair is an error (nothing to fall back on). */
  public static CertificateReloader load(Vertx vertx, Path certificateFile, Path keyFile) {
    CertificateReloader reloader = new CertificateReloader(vertx, certificateFile, keyFile);
    reloader.lastSeen = reloader.stamp();
    reloader.current = reloader.read();
    return reloader;
  }

  public PemIdentity current() {
    return current;
  }

  /** A new identity to serve when the files changed into a good pair with another certificate; else empty. */
  public Optional<PemIdentity> check() {
    String stamp = stamp();
    if (stamp.equals(lastSeen)) {
      return Optional.empty();
    }
    PemIdentity fresh;
    try {
      fresh = read();
    } catch (TlsFilesException e) {
      // lastSeen stays, so the next check tries again (the other half of the renewal may be on its way)
      failedReloads.increment();
      LOG.warning(() -> "TURN TLS certificate not reloaded, still serving " + current.fingerprint() + ": "
          + e.getMessage());
      return Optional.empty();
    }
    lastSeen = stamp;
    if (fresh.fingerprint().equals(current.fingerprint()) && fresh.keyPem().equals(current.keyPem())) {
      return Optional.empty();
    }
    current = fresh;
    reloads.increment();
    LOG.info(() -> "TURN TLS certificate reloaded: " + fresh.fingerprint() + ", valid until " + fresh.notAfter());
    return Optional.of(fresh);
  }

  private PemIdentity read() {
    try {
      return PemIdentity.of(vertx, Buffer.buffer(Files.readAllBytes(certificateFile)),
          Buffer.buffer(Files.readAllBytes(keyFile)));
    } catch (IOException e) {
      throw new TlsFilesException("cannot read " + e.getMessage());
    }
  }

  /**
   * A digest of both files' contents: modification times can be too coarse (two writes within one tick of a
   * file system's clock) and renewals may keep the size; the files are a few KB, read every check.
   */
  private String stamp() {
    return stampOf(certificateFile) + "|" + stampOf(keyFile);
  }

  private static String stampOf(Path file) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (IOException | NoSuchAlgorithmException e) {
      return "missing";
    }
  }
}

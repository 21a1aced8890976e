package dev.switchboard.turn.tls;

/** The TLS certificate or key files cannot be served (missing, unreadable, unparsable, not a pair). */
public final class TlsFilesException extends RuntimeException {
  public TlsFilesException(String message) {
    super(message);
  }
}

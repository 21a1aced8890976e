package dev.switchboard.auth;

/**
 * A token that was refused. Clients only ever learn {@link #REASON}; {@link #detail()} says which check
 * failed ({@code bad_signature}, {@code unknown_kid}, {@code expired}, {@code missing_claim:sub}...) and
 * is meant for the node's log, since telling a client which part of a forged token was wrong helps forging.
 */
public final class AuthFailure extends RuntimeException {
  /** The only reason a client is told, in a 403 body or a join reply. */
  public static final String REASON = "unauthorized";

  private final String detail;

  public AuthFailure(String detail) {
    // no stack trace: a refusal is an expected outcome, and a client spraying bad tokens should not
    // make the node walk its stack for each of them
    super(REASON + ": " + detail, null, false, false);
    this.detail = detail;
  }

  /** Which check failed, for logs; never sent to the client. */
  public String detail() {
    return detail;
  }

  /** What the client is told: always {@value #REASON}. */
  public String reason() {
    return REASON;
  }
}

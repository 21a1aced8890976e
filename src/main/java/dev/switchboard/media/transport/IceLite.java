package dev.switchboard.media.transport;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * The ICE-lite responder of one transport session (RFC 8445 §2.5, §7.3): answers the browser's Binding checks,
 * follows its nominations and watches consent (RFC 7675). Pure logic: the caller hands in datagrams and sends the
 * replies; time comes from a millisecond clock (a fake one in specs). One thread (the packet thread), no locks.
 *
 * <p>Decisions, all on purpose:
 * <ul>
 *   <li><b>USERNAME</b> must be "localUfrag:remoteUfrag". RFC 8445 §7.3 only requires the first part to be ours;
 *   the second part is checked once the remote ufrag is known and accepted as anything before (a check can arrive
 *   before the browser's answer; with server offers the remote ufrag comes later, see {@link #remote(IceCredentials)}).
 *   </li>
 *   <li><b>Authentication failures are dropped silently</b>: a wrong ufrag, a missing or wrong MESSAGE-INTEGRITY
 *   (keyed with the local pwd, short-term credentials), a bad FINGERPRINT. RFC 8489 §9.1.3 would answer a bad
 *   integrity with 401, but that answer cannot be authenticated, its source may be forged (a reflector), and a
 *   browser treats a 401 to a check like a timeout and retries anyway; RFC 8445 §7.3 asks only that the request be
 *   authenticated. Dropping gives a prober no oracle and a spoofer nothing back.</li>
 *   <li><b>Roles</b>: a lite agent facing a full one is always controlled (RFC 8445 §6.1.1). An authenticated check
 *   with ICE-CONTROLLED means the peer thinks it is controlled too: it gets 487 Role Conflict (§7.3.1.1, as if our
 *   tie-breaker won, because a lite agent cannot take the controlling role), signed like a success, and then
 *   switches to controlling and checks again. Such a check neither nominates nor refreshes consent. A check with
 *   no role attribute (pre-RFC 8445 peers) is answered like a controlling one.</li>
 *   <li><b>Nomination</b>: an authenticated check with USE-CANDIDATE selects its 5-tuple; a later one from another
 *   5-tuple switches the selection (Chrome renominates when its network changes). Google's NOMINATION attribute
 *   (ice-options:renomination) is not used: the node does not offer it.</li>
 *   <li><b>Consent</b>: every answered check from the selected address refreshes it; {@link #tick} reports the loss
 *   once, 30 s after the last one, and clears the selection (RFC 7675 §5.1: stop sending). A later nomination
 *   selects again.</li>
 *   <li><b>ICE restart</b>: {@link #restart} makes new local credentials; checks with the previous generation are
 *   still answered (with its pwd) until the first authenticated check with the new one, since the browser keeps
 *   checking with the old ones until it has applied the new description. The selected address survives the
 *   restart until a new nomination.</li>
 *   <li><b>Indications</b> (Binding indications are keep-alives, RFC 8489 §6.3.2) and responses are ignored.</li>
 * </ul>
 */
public final class IceLite {
  public static final long CONSENT_TIMEOUT_MILLIS = 30_000;

  /** What became of one STUN datagram. */
  public enum Verdict {
    /** An authenticated check, answered with Binding success. */
    ANSWERED,
    /** An authenticated check from a peer that also claims to be controlled, answered with 487. */
    ROLE_CONFLICT,
    /** A Binding indication or a response: nothing to do. */
    IGNORED,
    /** Not a well-formed STUN message, or a method other than Binding. */
    MALFORMED,
    /** Wrong or missing ufrag, integrity or fingerprint: dropped without an answer. */
    UNAUTHENTICATED
  }

  /**
   * @param reply the datagram to send back to the check's source, or null
   * @param firstCheck the first authenticated check this agent has seen (the session became reachable)
   * @param selectedChanged this check nominated a 5-tuple other than the selected one
   */
  public record Check(Verdict verdict, byte[] reply, boolean firstCheck, boolean selectedChanged) {
    static final Check IGNORED = new Check(Verdict.IGNORED, null, false, false);
    static final Check MALFORMED = new Check(Verdict.MALFORMED, null, false, false);
    static final Check UNAUTHENTICATED = new Check(Verdict.UNAUTHENTICATED, null, false, false);

    /** The source proved it knows the local pwd: its 5-tuple may be bound to the session. */
    public boolean authenticated() {
      return verdict == Verdict.ANSWERED || verdict == Verdict.ROLE_CONFLICT;
    }
  }

  /** One generation of credentials (a new one per ICE restart), with its integrity key. */
  private static final class Generation {
    final IceCredentials local;
    IceCredentials remote;
    final byte[] key;
    boolean used;

    Generation(IceCredentials local, IceCredentials remote) {
      this.local = local;
      this.remote = remote;
      // RFC 8489 §9.1.1: the short-term key is the OpaqueString-prepared pwd; ice-chars are unchanged by it
      this.key = local.pwd().getBytes(StandardCharsets.UTF_8);
    }

    boolean accepts(String username) {
      int colon = username.indexOf(':');
      if (colon != local.ufrag().length() || !username.startsWith(local.ufrag())) {
        return false;
      }
      return remote == null || username.substring(colon + 1).equals(remote.ufrag());
    }
  }

  private final LongSupplier millis;
  private Generation current;
  private Generation previous;
  private boolean checked;
  private InetSocketAddress selected;
  private long consentAt;
  private InetSocketAddress lastValid;
  private long lastValidAt;

  /** @param remote the browser's credentials, or null while they are not known */
  public IceLite(IceCredentials local, IceCredentials remote, LongSupplier millis) {
    if (local == null) {
      throw new IllegalArgumentException("local ICE credentials are required");
    }
    this.current = new Generation(local, remote);
    this.millis = millis;
  }

  /** Reads one datagram that starts like STUN (first byte 0-3) from {@code from}. */
  public Check onStun(InetSocketAddress from, byte[] buf, int off, int len) {
    BindingRequest request = BindingRequest.parse(buf, off, len);
    if (request == null) {
      return Check.MALFORMED;
    }
    if (request.type != BindingRequest.BINDING_REQUEST) {
      // indications are keep-alives; responses answer requests a lite agent never sends
      return (request.type & 0x3EEF) == 0x0001 ? Check.IGNORED : Check.MALFORMED;
    }
    if (request.username == null || !request.fingerprintValid()) {
      return Check.UNAUTHENTICATED;
    }
    Generation generation = current.accepts(request.username) ? current
        : previous != null && previous.accepts(request.username) ? previous : null;
    if (generation == null || !request.integrityValid(generation.key)) {
      return Check.UNAUTHENTICATED;
    }
    boolean first = !checked;
    checked = true;
    if (request.role == BindingRequest.Role.CONTROLLED) {
      return new Check(Verdict.ROLE_CONFLICT, request.roleConflict(generation.key), first, false);
    }
    generation.used = true;
    if (generation == current) {
      previous = null; // the browser has moved to the new credentials: the old ones retire
    }
    long now = millis.getAsLong();
    boolean changed = false;
    if (request.useCandidate && !from.equals(selected)) {
      selected = from;
      changed = true;
    }
    if (from.equals(selected)) {
      consentAt = now;
    }
    lastValid = from;
    lastValidAt = now;
    return new Check(Verdict.ANSWERED, request.success(from, generation.key), first, changed);
  }

  /**
   * Consent freshness: true once, when the selected pair has had no valid check for 30 s; the selection is then
   * cleared.
   */
  public boolean tick(long nowMillis) {
    if (selected != null && nowMillis - consentAt >= CONSENT_TIMEOUT_MILLIS) {
      selected = null;
      return true;
    }
    return false;
  }

  /**
   * ICE restart: new local credentials for the new description, the browser's new ones (or null while unknown).
   * The generation checks use now stays valid until the new one is used; a generation that was never used is not
   * kept (two restarts in a row: the browser may still be on the oldest one that worked).
   *
   * @return the new local credentials
   */
  public IceCredentials restart(IceCredentials newRemote) {
    IceCredentials fresh = IceCredentials.random();
    if (current.used || previous == null) {
      previous = current;
    }
    current = new Generation(fresh, newRemote);
    return fresh;
  }

  /** The browser's credentials became known (the answer to a server offer); checks are matched against them. */
  public void remote(IceCredentials remote) {
    current.remote = remote;
  }

  public IceCredentials local() {
    return current.local;
  }

  /** The credentials before the last ICE restart, while checks may still use them; null otherwise. */
  public IceCredentials previousLocal() {
    return previous == null ? null : previous.local;
  }

  public IceCredentials remote() {
    return current.remote;
  }

  /**
   * Where to send now: the selected address, or before a nomination the source of the latest answered check if it
   * came within the consent window (RFC 8445 §12.1 lets an agent send on a valid pair before selection: the DTLS
   * handshake may start before the browser nominates). Null when there is nowhere with consent.
   */
  public InetSocketAddress destination(long nowMillis) {
    if (selected != null) {
      return selected;
    }
    return lastValid != null && nowMillis - lastValidAt < CONSENT_TIMEOUT_MILLIS ? lastValid : null;
  }

  /** The nominated 5-tuple's remote address, or null before the first nomination and after consent loss. */
  public InetSocketAddress selected() {
    return selected;
  }
}

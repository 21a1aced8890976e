package dev.switchboard.media.transport;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The transport sessions of the node's one port, and the demultiplexer in front of them. A datagram from a bound
 * 5-tuple (remote address and port; the local side is the one port) goes to its session by {@link PacketKind}. From
 * an unbound address only a STUN Binding request is read: the first part of its USERNAME names a session by local
 * ufrag, and when that session's {@link IceLite} authenticates the check, the address is bound to it. Everything
 * else from unbound addresses is dropped and counted, so that DTLS and media reach a session only from addresses
 * that proved knowledge of its ICE pwd.
 *
 * <p>An address bound to one session stays with it until that session closes or evicts it: a check for another
 * session from it is dropped, so that a participant cannot take another's 5-tuple with a forged source address.
 * Each session holds at most {@link Limits#maxAddressesPerSession} addresses (Chrome checks several candidate
 * pairs); binding one more evicts the oldest that is not the selected one, so that network changes keep working.
 *
 * <p>Packet thread only: no method may be called from elsewhere (hand control work over with
 * {@code MediaPort.execute}). The counters may be read from any thread.
 */
public final class TransportSessions {
  /**
   * @param maxSessions sessions per node
   * @param maxAddressesPerSession 5-tuples bound to one session
   * @param uncheckedPerSourcePerSecond STUN datagrams per source IP and second read from unbound addresses
   */
  public record Limits(int maxSessions, int maxAddressesPerSession, int uncheckedPerSourcePerSecond) {
    public Limits {
      if (maxSessions < 1 || maxAddressesPerSession < 1 || uncheckedPerSourcePerSecond < 1) {
        throw new IllegalArgumentException("transport limits must be positive");
      }
    }

    public static Limits defaults() {
      return new Limits(1000, 8, 50);
    }
  }

  final DatagramSink sink;
  final LongSupplier millis;
  private final Limits limits;
  private final SourceLimiter unchecked;
  private final Map<String, TransportSession> byUfrag = new HashMap<>();
  private final Map<InetSocketAddress, TransportSession> byAddress = new HashMap<>();
  private final List<TransportSession> sessions = new ArrayList<>();
  private final LongAdder unknownSource = new LongAdder();
  private final LongAdder rateLimited = new LongAdder();
  private final LongAdder unauthenticated = new LongAdder();
  private final LongAdder other = new LongAdder();

  /** @param sink where STUN answers go (the port) @param millis the clock of checks and rate limits */
  public TransportSessions(DatagramSink sink, LongSupplier millis, Limits limits) {
    this.sink = sink;
    this.millis = millis;
    this.limits = limits;
    this.unchecked = new SourceLimiter(limits.uncheckedPerSourcePerSecond());
  }

  /**
   * A new session answering checks for {@code local}.
   *
   * @param remote the browser's credentials, or null while unknown (then any remote ufrag is accepted)
   * @throws IllegalStateException when the node holds {@link Limits#maxSessions} sessions
   * @throws IllegalArgumentException when another session uses the same local ufrag
   */
  public TransportSession register(IceCredentials local, IceCredentials remote, TransportHandler handler) {
    if (sessions.size() >= limits.maxSessions()) {
      throw new IllegalStateException("the media node holds " + sessions.size() + " transport sessions, its limit");
    }
    if (byUfrag.containsKey(local.ufrag())) {
      throw new IllegalArgumentException("local ufrag " + local.ufrag() + " is taken");
    }
    TransportSession session = new TransportSession(this, new IceLite(local, remote, millis), handler);
    sessions.add(session);
    index(session, local.ufrag());
    return session;
  }

  /** Unbinds the session's addresses and ufrags; datagrams from them are dropped as unknown from now on. */
  public void close(TransportSession session) {
    if (!session.open) {
      return;
    }
    session.open = false;
    sessions.remove(session);
    session.addresses.forEach(byAddress::remove);
    session.addresses.clear();
    session.ufrags.forEach(byUfrag::remove);
    session.ufrags.clear();
  }

  /** One datagram that arrived on the port; {@code buf} is reused once this returns. */
  public void onDatagram(InetSocketAddress from, byte[] buf, int off, int len) {
    if (len < 1) {
      other.increment();
      return;
    }
    PacketKind kind = PacketKind.of(buf[off]);
    TransportSession session = byAddress.get(from);
    if (session == null) {
      onUnbound(kind, from, buf, off, len);
      return;
    }
    switch (kind) {
      case STUN -> check(session, from, buf, off, len, true);
      case DTLS -> session.handler.onDtls(buf, off, len);
      case RTP_OR_RTCP -> {
        if (len < 2) {
          other.increment();
        } else if (PacketKind.isRtcp(buf[off + 1])) {
          session.handler.onRtcp(buf, off, len);
        } else {
          session.handler.onRtp(buf, off, len);
        }
      }
      default -> other.increment();
    }
  }

  private void onUnbound(PacketKind kind, InetSocketAddress from, byte[] buf, int off, int len) {
    if (kind != PacketKind.STUN) {
      unknownSource.increment();
      return;
    }
    // before the ufrag lookup and the HMAC: a flood of checks from one source costs a table slot, nothing more
    if (!unchecked.allow(from.getAddress(), millis.getAsLong() / 1000)) {
      rateLimited.increment();
      return;
    }
    String ufrag = BindingRequest.localUfrag(buf, off, len);
    TransportSession session = ufrag == null ? null : byUfrag.get(ufrag);
    if (session == null) {
      unknownSource.increment();
      return;
    }
    check(session, from, buf, off, len, false);
  }

  private void check(TransportSession session, InetSocketAddress from, byte[] buf, int off, int len, boolean bound) {
    IceLite.Check check = session.ice.onStun(from, buf, off, len);
    if (!check.authenticated()) {
      if (check.verdict() != IceLite.Verdict.IGNORED) {
        unauthenticated.increment();
      }
      return;
    }
    if (!bound) {
      bind(session, from);
    }
    retireUnused(session);
    sink.send(from, check.reply(), 0, check.reply().length);
    if (check.selectedChanged()) {
      session.handler.onSelected(from);
    }
  }

  private void bind(TransportSession session, InetSocketAddress from) {
    if (session.addresses.size() >= limits.maxAddressesPerSession()) {
      InetSocketAddress selected = session.ice.selected();
      for (Iterator<InetSocketAddress> it = session.addresses.iterator(); it.hasNext(); ) {
        InetSocketAddress oldest = it.next();
        if (!oldest.equals(selected)) {
          it.remove();
          byAddress.remove(oldest);
          break;
        }
      }
    }
    session.addresses.addLast(from);
    byAddress.put(from, session);
  }

  /** Consent freshness of every session (RFC 7675): call about once a second. */
  public void tick(long nowMillis) {
    // a handler may close its session from onConsentLost: iterate over a copy
    for (TransportSession session : sessions.toArray(new TransportSession[0])) {
      if (session.open && session.ice.tick(nowMillis)) {
        session.handler.onConsentLost();
      }
    }
  }

  IceCredentials restart(TransportSession session, IceCredentials newRemote) {
    if (!session.open) {
      throw new IllegalStateException("the transport session is closed");
    }
    IceCredentials fresh = session.ice.restart(newRemote);
    // 48 random bits rarely meet another session's ufrag; when they do, draw again (the unused draw is not kept)
    while (byUfrag.containsKey(fresh.ufrag())) {
      fresh = session.ice.restart(newRemote);
    }
    index(session, fresh.ufrag());
    retireUnused(session);
    return fresh;
  }

  private void index(TransportSession session, String ufrag) {
    byUfrag.put(ufrag, session);
    session.ufrags.add(ufrag);
  }

  /** Stops routing the ufrags the session's agent no longer accepts (a generation retired or never used). */
  private void retireUnused(TransportSession session) {
    String current = session.ice.local().ufrag();
    IceCredentials previous = session.ice.previousLocal();
    for (Iterator<String> it = session.ufrags.iterator(); it.hasNext(); ) {
      String ufrag = it.next();
      if (!ufrag.equals(current) && (previous == null || !ufrag.equals(previous.ufrag()))) {
        it.remove();
        byUfrag.remove(ufrag);
      }
    }
  }

  /** The session a remote address is bound to, or null. */
  public TransportSession boundTo(InetSocketAddress remote) {
    return byAddress.get(remote);
  }

  public int size() {
    return sessions.size();
  }

  /** Datagrams from unbound addresses that were no check for a known ufrag. */
  public long droppedUnknownSource() {
    return unknownSource.sum();
  }

  /** STUN datagrams from unbound addresses over the per-source budget. */
  public long droppedRateLimited() {
    return rateLimited.sum();
  }

  /** Checks that did not authenticate, or were no well-formed Binding message. */
  public long droppedUnauthenticated() {
    return unauthenticated.sum();
  }

  /** Datagrams from bound addresses that are neither STUN, DTLS, RTP nor RTCP. */
  public long droppedOther() {
    return other.sum();
  }
}

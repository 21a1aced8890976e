package dev.switchboard.media.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsTimeoutException;

/**
 * One participant's DTLS association with the node, the node always being the DTLS server (it answers with
 * a=setup:passive, or offers actpass and the browser picks active).
 *
 * <p>bctls handshakes block, so they never run on the caller of {@link #receive}: records are copied into a
 * bounded queue (full = dropped, DTLS retransmits) and the handshake runs on the {@link DtlsServer}'s pool,
 * polling that queue through a {@link DatagramTransport}. After the handshake the session keeps bctls's
 * transport: a client whose copy of our last flight was lost retransmits its own, and bctls answers only when
 * such records are read, so later records are read on the pool too (application data is dropped: the node has
 * no data channels).
 *
 * <p>Thread-safety: {@link #receive} and {@link #close} may be called from any thread and never block;
 * listener callbacks run on a pool thread.
 */
public final class DtlsSession implements AutoCloseable {
  /** Where the session's outgoing records go: the participant's current 5-tuple. Must copy and never block. */
  @FunctionalInterface
  public interface Sink {
    void send(byte[] buf, int off, int len);
  }

  /** The outcome of the handshake: exactly one call, unless the session was closed first (then none). */
  public interface Listener {
    void connected(SrtpKeys keys);

    void failed(Throwable cause);
  }

  /**
   * DTLS peers fragment handshake messages to the path MTU (RFC 6347 §4.1.1), so a larger datagram is no
   * WebRTC DTLS and not worth queueing.
   */
  static final int MAX_DATAGRAM = 4096;
  /** What bctls may put in one datagram: under any IPv6 path MTU with UDP, IP and TURN overhead. */
  static final int SEND_LIMIT = 1200;

  private enum State { NEW, HANDSHAKING, CONNECTED, FAILED, CLOSED }

  private static final Logger LOG = Logger.getLogger(DtlsSession.class.getName());

  private final NodeCertificate certificate;
  private final String expectedRemoteFingerprint;
  private final Sink out;
  private final Listener listener;
  private final ExecutorService pool;
  private final long handshakeTimeoutNanos;
  private final BlockingQueue<byte[]> inbound;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicLong dropped = new AtomicLong();
  /** Serializes every use of bctls's transport after the handshake (reads on the pool, close_notify). */
  private final Object dtlsLock = new Object();
  private volatile long handshakeDeadlineNanos;
  private volatile Future<?> handshake;
  private volatile SrtpKeys keys;
  private DTLSTransport dtls;

  DtlsSession(NodeCertificate certificate, String expectedRemoteFingerprint, Sink out, Listener listener,
      ExecutorService pool, long handshakeTimeoutNanos, int queueCapacity) {
    this.certificate = certificate;
    this.expectedRemoteFingerprint = expectedRemoteFingerprint;
    this.out = out;
    this.listener = listener;
    this.pool = pool;
    this.handshakeTimeoutNanos = handshakeTimeoutNanos;
    this.inbound = new ArrayBlockingQueue<>(queueCapacity);
  }

  /**
   * Hands one received DTLS datagram to the session: copies it, never blocks, never throws. The first record
   * starts the handshake on the pool (if the pool refuses, {@link Listener#failed} runs on this thread).
   */
  public void receive(byte[] buf, int off, int len) {
    State now = state.get();
    if (now == State.FAILED || now == State.CLOSED) {
      return;
    }
    if (buf == null || off < 0 || len <= 0 || len > buf.length - off || len > MAX_DATAGRAM) {
      dropped.incrementAndGet();
      return;
    }
    byte[] copy = new byte[len];
    System.arraycopy(buf, off, copy, 0, len);
    if (!inbound.offer(copy)) {
      dropped.incrementAndGet(); // the peer retransmits its flight; a flood must not grow memory
      return;
    }
    if (now == State.NEW && state.compareAndSet(State.NEW, State.HANDSHAKING)) {
      startHandshake();
    } else if (state.get() == State.CONNECTED) { // read again: the handshake may have finished meanwhile
      scheduleDrain();
    }
  }

  /** The negotiated keys, or null before the handshake completed. */
  public SrtpKeys keys() {
    return keys;
  }

  public boolean isConnected() {
    return state.get() == State.CONNECTED;
  }

  /** Datagrams dropped: malformed, oversized, or arriving while the queue was full. */
  public long droppedDatagrams() {
    return dropped.get();
  }

  /**
   * Ends the session: a connected one sends close_notify (from the pool), a pending handshake is interrupted
   * and its pool thread freed, queued bytes are released. Idempotent; no listener call follows.
   */
  @Override
  public void close() {
    State before = state.getAndSet(State.CLOSED);
    if (before == State.CLOSED) {
      return;
    }
    inbound.clear();
    Future<?> pending = handshake;
    if (before == State.HANDSHAKING && pending != null) {
      pending.cancel(true);
    }
    if (before == State.CONNECTED) {
      try {
        pool.execute(this::closeDtls);
      } catch (RejectedExecutionException e) {
        // No close_notify then: the browser notices through ICE consent freshness instead.
      }
    }
  }

  private void startHandshake() {
    handshakeDeadlineNanos = System.nanoTime() + handshakeTimeoutNanos; // queueing time on the pool counts too
    try {
      handshake = pool.submit(this::handshake);
    } catch (RejectedExecutionException e) {
      fail(new IOException("DTLS handshake pool is full", e));
    }
  }

  private void handshake() {
    if (state.get() != State.HANDSHAKING) {
      return;
    }
    SrtpTlsServer server = new SrtpTlsServer(certificate, expectedRemoteFingerprint, handshakeDeadlineNanos);
    DTLSServerProtocol protocol = new DTLSServerProtocol();
    // ICE already proved the 5-tuple (STUN with MESSAGE-INTEGRITY), so no HelloVerifyRequest round trip.
    protocol.setVerifyRequests(false);
    DTLSTransport connected;
    try {
      connected = protocol.accept(server, new QueueTransport());
    } catch (Throwable e) { // bctls wraps most failures, yet a RuntimeException must not vanish in the pool
      fail(e);
      return;
    }
    synchronized (dtlsLock) {
      dtls = connected;
    }
    keys = server.keys();
    if (!state.compareAndSet(State.HANDSHAKING, State.CONNECTED)) {
      closeDtls(); // closed while finishing: the client believes it is connected, so say goodbye
      return;
    }
    try {
      listener.connected(keys);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "DTLS listener threw", e);
    }
    scheduleDrain(); // records queued while the handshake finished
  }

  private void fail(Throwable cause) {
    if (state.compareAndSet(State.HANDSHAKING, State.FAILED)) {
      inbound.clear();
      LOG.fine(() -> "DTLS handshake failed: " + cause);
      try {
        listener.failed(cause);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "DTLS listener threw", e);
      }
    }
  }

  /** Reads queued post-handshake records on the pool, one task at a time per session. */
  private void scheduleDrain() {
    if (inbound.isEmpty() || !draining.compareAndSet(false, true)) {
      return;
    }
    try {
      pool.execute(this::drain);
    } catch (RejectedExecutionException e) {
      draining.set(false);
      dropped.addAndGet(inbound.size());
      inbound.clear(); // the client retransmits again later
    }
  }

  private void drain() {
    try {
      synchronized (dtlsLock) {
        byte[] scratch = new byte[MAX_DATAGRAM];
        while (!inbound.isEmpty() && state.get() == State.CONNECTED && dtls != null) {
          try {
            // Answers retransmitted client flights (bctls resends our last flight); app data is discarded.
            dtls.receive(scratch, 0, scratch.length, 1);
          } catch (IOException | RuntimeException e) {
            // A fatal alert, close_notify or a bad record ends the DTLS layer; the SRTP keys stay valid and
            // ICE consent decides when the participant is gone.
            LOG.fine(() -> "DTLS after handshake: " + e);
            dtls = null;
            inbound.clear();
          }
        }
      }
    } finally {
      draining.set(false);
    }
    if (!inbound.isEmpty() && state.get() == State.CONNECTED) {
      scheduleDrain();
    }
  }

  private void closeDtls() {
    synchronized (dtlsLock) {
      if (dtls != null) {
        try {
          dtls.close(); // sends close_notify through the sink
        } catch (IOException | RuntimeException e) {
          LOG.fine(() -> "DTLS close: " + e);
        }
        dtls = null;
      }
      inbound.clear();
    }
  }

  /** bctls's view of the session: reads poll the inbound queue, writes go straight to the sink. */
  private final class QueueTransport implements DatagramTransport {
    @Override
    public int getReceiveLimit() {
      return MAX_DATAGRAM;
    }

    @Override
    public int getSendLimit() {
      return SEND_LIMIT;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
      State now = state.get();
      if (now == State.CLOSED || now == State.FAILED) {
        throw new IOException("DTLS session closed");
      }
      long wait = TimeUnit.MILLISECONDS.toNanos(waitMillis); // after the handshake bctls is asked for 1 ms
      if (now == State.HANDSHAKING) {
        long remaining = handshakeDeadlineNanos - System.nanoTime();
        if (remaining <= 0) {
          throw new TlsTimeoutException("DTLS handshake deadline passed");
        }
        wait = Math.min(wait, remaining);
      }
      byte[] datagram;
      try {
        datagram = inbound.poll(wait, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("DTLS session closed while waiting");
      }
      if (datagram == null) {
        return -1;
      }
      int n = Math.min(len, datagram.length);
      System.arraycopy(datagram, 0, buf, off, n);
      return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) {
      out.send(buf, off, len);
    }

    @Override
    public void close() {
      // The session owns the queue and the sink; bctls closing its side frees nothing here.
    }
  }
}

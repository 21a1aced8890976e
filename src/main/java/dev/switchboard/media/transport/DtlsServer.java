package dev.switchboard.media.transport;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's DTLS server: its certificate and the bounded pool every blocking bctls handshake runs on, so
 * that no handshake ever runs on the packet thread and a flood of ClientHellos costs at most {@code threads}
 * threads and {@code pendingTasks} queued tasks (beyond that a new handshake fails at once). One per node.
 */
public final class DtlsServer implements AutoCloseable {
  /**
   * @param threads handshake threads; a handshake costs a few ms of CPU and otherwise waits for the peer
   * @param pendingTasks handshakes and post-handshake reads waiting for a thread
   * @param handshakeTimeout from a session's first record to its keys, queueing included; a client that
   *     stops half-way holds a thread at most this long
   * @param sessionQueue datagrams queued per session before further ones are dropped
   */
  public record Settings(int threads, int pendingTasks, Duration handshakeTimeout, int sessionQueue) {
    public static final Settings DEFAULTS = new Settings(4, 256, Duration.ofSeconds(30), 64);

    public Settings {
      if (threads < 1 || pendingTasks < 1 || sessionQueue < 1) {
        throw new IllegalArgumentException("threads, pendingTasks and sessionQueue must be positive");
      }
      if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
        throw new IllegalArgumentException("handshakeTimeout must be positive");
      }
    }

    public Settings withHandshakeTimeout(Duration timeout) {
      return new Settings(threads, pendingTasks, timeout, sessionQueue);
    }

    public Settings withThreads(int count) {
      return new Settings(count, pendingTasks, handshakeTimeout, sessionQueue);
    }
  }

  private static final AtomicInteger SERVERS = new AtomicInteger();

  private final NodeCertificate certificate;
  private final Settings settings;
  private final ThreadPoolExecutor pool;

  public DtlsServer(NodeCertificate certificate) {
    this(certificate, Settings.DEFAULTS);
  }

  public DtlsServer(NodeCertificate certificate, Settings settings) {
    this.certificate = Objects.requireNonNull(certificate, "certificate");
    this.settings = Objects.requireNonNull(settings, "settings");
    int server = SERVERS.incrementAndGet();
    AtomicInteger threads = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(settings.threads(), settings.threads(), 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(settings.pendingTasks()), task -> {
          Thread thread = new Thread(task, "dtls-handshake-" + server + "-" + threads.incrementAndGet());
          thread.setDaemon(true); // a stuck peer must never keep the JVM alive
          return thread;
        }, new ThreadPoolExecutor.AbortPolicy());
    pool.allowCoreThreadTimeOut(true); // an idle node holds no handshake threads
  }

  /**
   * A new session for one participant; nothing happens until its first DTLS record arrives.
   *
   * @param expectedRemoteFingerprint the client's SDP a=fingerprint value, e.g. {@code "sha-256 AB:..."}
   * @param out where the session's records go (the participant's selected 5-tuple); must copy, never block
   * @param listener told the outcome, on a pool thread
   */
  public DtlsSession open(String expectedRemoteFingerprint, DtlsSession.Sink out, DtlsSession.Listener listener) {
    Objects.requireNonNull(expectedRemoteFingerprint, "expectedRemoteFingerprint");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(listener, "listener");
    return new DtlsSession(certificate, expectedRemoteFingerprint, out, listener, pool,
        settings.handshakeTimeout().toNanos(), settings.sessionQueue());
  }

  /** This node's a=fingerprint value. */
  public String fingerprint() {
    return certificate.fingerprint();
  }

  public Settings settings() {
    return settings;
  }

  /** Pool threads running a handshake or a post-handshake read right now (for metrics and specs). */
  public int busyThreads() {
    return pool.getActiveCount();
  }

  /**
   * Stops the pool (node shutdown): running handshakes are interrupted and their sessions fail; queued ones
   * never run and get no callback; later handshakes fail at once.
   */
  @Override
  public void close() {
    pool.shutdownNow();
  }
}

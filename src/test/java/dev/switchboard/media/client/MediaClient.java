package dev.switchboard.media.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;

import dev.switchboard.media.transport.NodeCertificate;
import dev.switchboard.media.transport.PacketKind;
import dev.switchboard.media.transport.SrtpProfile;
import dev.switchboard.media.transport.SrtpSession;
import dev.switchboard.media.transport.SrtpTlsClient;

/**
 * A browser stand-in on one loopback (or other local) UDP socket, for end-to-end specs and load benchmarks against the media
 * node: ICE as the controlling agent against an ICE-lite node ({@link StunCheck}), a DTLS 1.2 client handshake
 * with use_srtp over the same socket ({@link SrtpTlsClient}), then SRTP/SRTCP with the node's own
 * {@link SrtpSession}. One reader thread demultiplexes by {@link PacketKind}: STUN answers go to the checks,
 * DTLS to the handshake, SRTP/SRTCP are unprotected and handed to {@link #onMedia} (default: a queue read by
 * {@link #poll}). A timer thread keeps consent fresh (RFC 7675) after connecting. {@link #close} stops both.
 *
 * <p>Thread-safety: {@link #sendRtp} and {@link #sendRtcp} may be called from any thread.
 */
public final class MediaClient implements AutoCloseable {
  /** A received, unprotected RTP or RTCP packet. */
  public record Received(boolean rtcp, byte[] packet, long receivedNanos) {
    public RtpHeader rtp() {
      return RtpHeader.parse(packet, packet.length);
    }
  }

  /** connect found a DTLS certificate other than the one the node's SDP announced. */
  public static final class FingerprintMismatchException extends IOException {
    FingerprintMismatchException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  private static final char[] ICE_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".toCharArray();

  private final int id = CLIENTS.incrementAndGet();
  private final NodeCertificate identity = NodeCertificate.generate();
  private final String ufrag = randomIce(8);
  private final String pwd = randomIce(24); // RFC 8839 §5.4: at least 128 bits
  private final long tieBreaker = RANDOM.nextLong();
  private final DatagramSocket socket;
  private final Thread reader;
  private final ScheduledExecutorService timer;
  private final BlockingQueue<Received> defaultQueue = new LinkedBlockingQueue<>();
  /** Checks in flight by transaction id (ByteBuffer compares contents). */
  private final Map<ByteBuffer, StunCheck.Sent> outstanding = new ConcurrentHashMap<>();
  private final CompletableFuture<InetSocketAddress> nominated = new CompletableFuture<>();
  private final Object sendLock = new Object();
  private final AtomicLong invalidStun = new AtomicLong();
  private final AtomicLong checksAnswered = new AtomicLong();
  private final AtomicLong srtpFailures = new AtomicLong();
  private final AtomicLong handlerFailures = new AtomicLong();
  private volatile String lastInvalidStun = "none";
  private volatile long lastConsentNanos;
  private volatile Consumer<Received> mediaHandler = defaultQueue::add;
  private volatile SrtpProfile[] offered = {SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES_CM_128_HMAC_SHA1_80};
  private volatile Duration consentInterval = Duration.ofMillis(2500);
  private volatile InetSocketAddress node;
  private volatile StunCheck checker;
  private final DtlsOverSocket dtlsLink;
  private volatile DTLSTransport dtls;
  private volatile SrtpProfile profile;
  /** Separate contexts for each direction: SrtpSession is single-threaded, and sending and reading are not. */
  private volatile SrtpSession sendSrtp;
  private volatile SrtpSession receiveSrtp;
  private volatile boolean closed;

  public MediaClient() throws SocketException {
    this(InetAddress.getLoopbackAddress());
  }

  /** A client on another local address: an SFU that announces a non-loopback candidate may only answer there. */
  public MediaClient(InetAddress local) throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress(local, 0));
    socket.setReceiveBufferSize(1 << 20); // bursts of a keyframe's packets; the kernel may cap it lower
    dtlsLink = new DtlsOverSocket(socket, () -> node, () -> closed);
    timer = new ScheduledThreadPoolExecutor(1, task -> daemon(task, "media-client-" + id + "-consent"));
    reader = daemon(this::readLoop, "media-client-" + id + "-reader");
    reader.start();
  }

  /** For this client's SDP: a=fingerprint. */
  public String fingerprint() {
    return identity.fingerprint();
  }

  /** For this client's SDP: a=ice-ufrag. */
  public String ufrag() {
    return ufrag;
  }

  /** For this client's SDP: a=ice-pwd. */
  public String pwd() {
    return pwd;
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** The profiles offered in use_srtp, in order; before {@link #connect}. */
  public MediaClient offer(SrtpProfile... profiles) {
    offered = profiles.clone();
    return this;
  }

  /** How often consent checks go out after connecting; before {@link #connect}. */
  public MediaClient consentInterval(Duration interval) {
    consentInterval = interval;
    return this;
  }

  /** Where unprotected media goes, on the reader thread (must not block); replaces the {@link #poll} queue. */
  public MediaClient onMedia(Consumer<Received> handler) {
    mediaHandler = handler;
    return this;
  }

  /** The next received packet from the default queue, or null after the timeout. */
  public Received poll(Duration timeout) throws InterruptedException {
    return defaultQueue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Connects with a 10-second limit for each of ICE and DTLS. */
  public SrtpProfile connect(InetSocketAddress node, String nodeUfrag, String nodePwd, String nodeFingerprint)
      throws IOException {
    return connect(node, nodeUfrag, nodePwd, nodeFingerprint, Duration.ofSeconds(10));
  }

  /**
   * ICE (checks with USE-CANDIDATE until one is answered validly), then the DTLS handshake with the node's
   * certificate checked against {@code nodeFingerprint}, then SRTP keys; returns the negotiated profile.
   *
   * @throws SocketTimeoutException no valid ICE answer in time (wrong ufrag or pwd, no node)
   * @throws FingerprintMismatchException the node's certificate is not the one its SDP announced
   * @throws IOException the DTLS handshake failed otherwise
   */
  public SrtpProfile connect(InetSocketAddress node, String nodeUfrag, String nodePwd, String nodeFingerprint,
      Duration timeout) throws IOException {
    if (this.node != null) {
      throw new IllegalStateException("connect once per client");
    }
    this.node = node;
    this.checker = new StunCheck(nodeUfrag, ufrag, nodePwd, tieBreaker);
    runIce(timeout);
    handshake(nodeFingerprint, timeout);
    long period = consentInterval.toMillis();
    timer.scheduleWithFixedDelay(() -> sendCheck(false), period, period, TimeUnit.MILLISECONDS);
    return profile;
  }

  /** Builds, protects and sends one RTP packet; false when not connected or the packet was refused. */
  public boolean sendRtp(int ssrc, int payloadType, int sequence, long timestamp, boolean marker, byte[] payload)
      throws IOException {
    byte[] packet = RtpHeader.build(ssrc, payloadType, sequence, timestamp, marker, payload, SrtpSession.RTP_ROOM);
    return sendProtected(packet, packet.length - SrtpSession.RTP_ROOM, false);
  }

  /** Protects and sends one (compound) RTCP packet, e.g. a PLI or a receiver report. */
  public boolean sendRtcp(byte[] rtcp) throws IOException {
    byte[] packet = Arrays.copyOf(rtcp, rtcp.length + SrtpSession.RTCP_ROOM);
    return sendProtected(packet, rtcp.length, true);
  }

  /** The negotiated SRTP profile, or null before connecting. */
  public SrtpProfile profile() {
    return profile;
  }

  /** When the node last answered a check validly ({@link System#nanoTime}), 0 before. */
  public long lastConsentNanos() {
    return lastConsentNanos;
  }

  /** STUN datagrams that answered none of our checks validly. */
  public long invalidStunResponses() {
    return invalidStun.get();
  }

  /** Connectivity checks the other side sent us that we answered (none from an ICE-lite node). */
  public long checksAnswered() {
    return checksAnswered.get();
  }

  /** SRTP/SRTCP packets that failed to authenticate or decrypt. */
  public long srtpFailures() {
    return srtpFailures.get();
  }

  /** Times the {@link #onMedia} handler threw (the packet is dropped, the reader goes on). */
  public long handlerFailures() {
    return handlerFailures.get();
  }

  /** Stops consent and the reader, says close_notify when connected, closes the socket. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    timer.shutdownNow();
    DTLSTransport connected = dtls;
    if (connected != null) {
      try {
        connected.close(); // close_notify: the node can free the session before consent expires
      } catch (IOException e) {
        // The socket may already be unusable; the node's consent timer cleans up then.
      }
    }
    socket.close(); // unblocks the reader
    try {
      reader.join(2000);
      timer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (sendLock) {
      if (sendSrtp != null) {
        sendSrtp.close();
      }
    }
  }

  private void runIce(Duration timeout) throws SocketTimeoutException, InterruptedIOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long waitMillis = 50; // retransmit with backoff, as RFC 8489 §6.2.1 does, capped for a quick local answer
    int sent = 0;
    while (true) {
      sendCheck(true);
      sent++;
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      try {
        nominated.get(Math.max(1, Math.min(waitMillis, left)), TimeUnit.MILLISECONDS);
        return;
      } catch (TimeoutException e) {
        if (System.nanoTime() >= deadline) {
          outstanding.clear();
          throw new SocketTimeoutException("no valid ICE answer from " + node + " in " + timeout.toMillis()
              + " ms: " + sent + " checks sent, " + invalidStun.get() + " invalid answers (last: "
              + lastInvalidStun + ")");
        }
        waitMillis = Math.min(waitMillis * 2, 500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted during ICE");
      } catch (ExecutionException e) {
        throw new IllegalStateException(e); // the future is only ever completed normally
      }
    }
  }

  private void handshake(String nodeFingerprint, Duration timeout) throws IOException {
    int[] ids = Arrays.stream(offered).mapToInt(p -> p.id).toArray();
    SrtpTlsClient client = new SrtpTlsClient(identity, ids, (int) timeout.toMillis(), true, nodeFingerprint);
    try {
      dtls = new DTLSClientProtocol().connect(client, dtlsLink);
    } catch (IOException e) {
      if (client.serverCertificate() != null && !NodeCertificate.matches(client.serverCertificate(), nodeFingerprint)) {
        throw new FingerprintMismatchException("DTLS with " + node + ": the node's certificate has fingerprint "
            + NodeCertificate.fingerprintOf(client.serverCertificate()) + ", its SDP announced " + nodeFingerprint, e);
      }
      throw new IOException("DTLS handshake with " + node + " failed: " + e.getMessage(), e);
    }
    dtlsLink.handshakeDone(); // only the handshake reads DTLS; later records (close_notify) are dropped
    profile = client.keys().profile();
    receiveSrtp = SrtpSession.forClient(client.keys());
    synchronized (sendLock) {
      sendSrtp = SrtpSession.forClient(client.keys());
    }
  }

  private void sendCheck(boolean useCandidate) {
    StunCheck.Sent check = checker.request(useCandidate);
    if (outstanding.size() > 64) {
      outstanding.clear(); // unanswered checks: the node is gone or refuses us; do not grow without bound
    }
    outstanding.put(ByteBuffer.wrap(check.transactionId()), check);
    try {
      send(check.bytes(), check.bytes().length);
    } catch (IOException e) {
      // Lost like any datagram: the next check (or the deadline) decides.
    }
  }

  private boolean sendProtected(byte[] packet, int len, boolean rtcp) throws IOException {
    int protectedLength;
    synchronized (sendLock) {
      if (sendSrtp == null || closed) {
        return false;
      }
      protectedLength = rtcp ? sendSrtp.protectRtcp(packet, 0, len) : sendSrtp.protectRtp(packet, 0, len);
    }
    if (protectedLength < 0) {
      return false;
    }
    send(packet, protectedLength);
    return true;
  }

  private void send(byte[] buf, int len) throws IOException {
    socket.send(new DatagramPacket(buf, 0, len, node));
  }

  private void readLoop() {
    byte[] buf = new byte[2048];
    DatagramPacket datagram = new DatagramPacket(buf, buf.length);
    while (!closed) {
      try {
        datagram.setLength(buf.length);
        socket.receive(datagram);
      } catch (IOException e) {
        return; // closed
      }
      if (node == null || !node.equals(datagram.getSocketAddress()) || datagram.getLength() == 0) {
        continue; // only the candidate we check against may talk to us
      }
      int len = datagram.getLength();
      switch (PacketKind.of(buf[0])) {
        case STUN -> onStun(Arrays.copyOf(buf, len));
        case DTLS -> dtlsLink.received(buf, len);
        case RTP_OR_RTCP -> onMedia(buf, len);
        default -> { }
      }
    }
  }

  private void onStun(byte[] message) {
    if (message.length < 20) {
      return;
    }
    byte[] answer = StunCheck.answer(message, node, ufrag, pwd);
    if (answer != null) { // a full agent's check of the pair (the node is ICE-lite and sends none)
      checksAnswered.incrementAndGet();
      try {
        send(answer, answer.length);
      } catch (IOException e) {
        // lost like a datagram: the peer checks again
      }
      return;
    }
    StunCheck.Sent check = outstanding.remove(ByteBuffer.wrap(Arrays.copyOfRange(message, 8, 20)));
    if (check == null) {
      invalidStun.incrementAndGet();
      lastInvalidStun = "answers no outstanding check";
      return;
    }
    try {
      InetSocketAddress mapped = checker.verify(message, check);
      lastConsentNanos = System.nanoTime();
      nominated.complete(mapped);
    } catch (StunCheck.InvalidResponse e) {
      invalidStun.incrementAndGet();
      lastInvalidStun = e.getMessage();
    }
  }

  private void onMedia(byte[] buf, int len) {
    SrtpSession srtp = receiveSrtp;
    if (srtp == null) {
      return;
    }
    boolean rtcp = len > 1 && PacketKind.isRtcp(buf[1]);
    int n = rtcp ? srtp.unprotectRtcp(buf, 0, len) : srtp.unprotectRtp(buf, 0, len);
    if (n < 0) {
      srtpFailures.incrementAndGet();
      return;
    }
    try {
      mediaHandler.accept(new Received(rtcp, Arrays.copyOf(buf, n), System.nanoTime()));
    } catch (RuntimeException e) {
      handlerFailures.incrementAndGet(); // a spec's handler must not stop the reader for everyone else
    }
  }

  private static String randomIce(int length) {
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = ICE_CHARS[RANDOM.nextInt(ICE_CHARS.length)];
    }
    return new String(chars);
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true); // a forgotten client must not keep a test JVM alive
    return thread;
  }
}

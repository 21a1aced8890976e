package dev.switchboard.turn;

import dev.switchboard.bus.TurnRevocation;
import dev.switchboard.support.FakeClock;
import dev.switchboard.turn.allocation.Allocation;
import dev.switchboard.turn.allocation.ClientLink;
import dev.switchboard.turn.allocation.FiveTuple;
import dev.switchboard.turn.listen.PacketHandler;
import dev.switchboard.turn.listen.StreamAssembler;
import dev.switchboard.turn.listen.StreamFramer;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static dev.switchboard.turn.TurnFuzzChecks.require;

/**
 * One {@link TurnServer} per fuzz input, on a fake clock and without its threads or listeners: what a client sends
 * goes straight into the packet entry point ({@link TurnServer#onClientPacket}) as the UDP engine, or the stream
 * listener's {@link StreamAssembler} (TCP and TLS), hands it over, and what the server sends is recorded.
 * Relay sockets are bound on 127.0.0.1 (or ::1 for IPv6 relays) and nothing is ever sent from them: payloads for
 * peers are recorded too.
 * {@link TurnFuzzChecks} checks the invariants after every step and when the rig closes.
 */
final class TurnFuzzRig implements AutoCloseable {
  static final Instant START = Instant.parse("2026-01-01T00:00:00Z");
  static final String REALM = "fuzz.switchboard.dev";
  static final int TOTAL_QUOTA = 4;
  static final int PEER_QUOTA = 2;
  static final int IDENTITY_QUOTA = 3;
  static final int MAX_PERMISSIONS = 4;
  static final int MAX_CHANNELS = 3;
  static final InetAddress LOOPBACK = address("127.0.0.1");
  static final InetAddress LOOPBACK_V6 = address("::1");
  static final InetSocketAddress SERVER = new InetSocketAddress(LOOPBACK, 3478);
  /** Datagram sources: two ports of one address, another address, and IPv6. */
  static final List<InetSocketAddress> CLIENTS = List.of(new InetSocketAddress(LOOPBACK, 40001),
      new InetSocketAddress(LOOPBACK, 40002), new InetSocketAddress(address("127.0.0.2"), 40001),
      new InetSocketAddress(LOOPBACK_V6, 40003));

  /** A credential the rig signs with: a static user, two peers of one identity, and a revoked peer. */
  record Credential(String username, byte[] key) {
    static Credential of(String username, String password) {
      return new Credential(username, LongTermAuth.key(username, REALM, password));
    }
  }

  private static final TurnCredentials REST = new TurnCredentials(List.of("fuzz-secret"), Duration.ofHours(1));
  static final List<Credential> CREDENTIALS = List.of(Credential.of("fuzz", "fuzz-password"),
      rest("p1", "alice"), rest("p2", "alice"), rest("p3", null));
  static final String REVOKED_PEER = "p3";
  private static final NonceService NONCES = new NonceService(600);
  private static final LongTermAuth AUTH = new LongTermAuth(REALM, REST, Map.of("fuzz", "fuzz-password"), NONCES);
  /** Loopback peers are admitted; the rest of the deny-list (10.0.0.0/8, ...) answers 403. */
  static final PeerPolicy POLICY = new PeerPolicy(List.of("127.0.0.0/8", "::1/128"), List.of(LOOPBACK));
  /** The UDP engine's reused read buffer (rigs run one at a time, as fuzz inputs do). */
  private static final ByteBuffer DATAGRAM = ByteBuffer.allocateDirect(65_536);

  final FakeClock clock = new FakeClock(START);
  final Admission admission;
  final TurnServer server;
  final TurnFuzzChecks checks;
  private final List<RecordingLink> datagramLinks = new ArrayList<>();
  private final Revocations revocations;
  /** The last RESERVATION-TOKEN the server handed out. */
  private byte[] reservationToken;

  TurnFuzzRig() {
    revocations = new Revocations(clock, REST.ttl());
    revocations.revoke(new TurnRevocation(REVOKED_PEER, List.of()));
    admission = new Admission(revocations, PEER_QUOTA, IDENTITY_QUOTA);
    TurnSettings settings = new TurnSettings(LOOPBACK, 0, LOOPBACK, LOOPBACK_V6, null, 63000, 63999, REALM, PEER_QUOTA,
        IDENTITY_QUOTA, TOTAL_QUOTA, MAX_PERMISSIONS, MAX_CHANNELS, 0, 600, 3600, "Switchboard", 1, "nio");
    server = new TurnServer(settings, AUTH, POLICY, admission, clock);
    checks = new TurnFuzzChecks(this);
    server.peerSend((relay, payload, peer) -> {
      checks.relayed(relay, peer);
      payload.position(payload.limit());
    });
    for (InetSocketAddress client : CLIENTS) {
      datagramLinks.add(new RecordingLink(FiveTuple.udp(client, SERVER)));
    }
  }

  private static Credential rest(String peerId, String identity) {
    TurnCredential credential = REST.issue(peerId, identity, START.getEpochSecond());
    return Credential.of(credential.username(), credential.password());
  }

  /** One datagram from the client the step picks, in the listener's reused buffer at offset 0. */
  void datagram(TurnFuzzInput.Step step) {
    RecordingLink link = datagramLinks.get((step.client() & 0x7F) % datagramLinks.size());
    clock.advance(Duration.ofMillis(step.advanceMillis()));
    byte[] message = message(step, link.remote(), clock.epochSeconds(), reservationToken, false);
    int length = Math.min(message.length, 65_507); // the largest UDP payload
    DATAGRAM.clear();
    DATAGRAM.put(message, 0, length);
    deliver(DATAGRAM, 0, length, link, step);
    if (step.revoke()) {
      // as the signaling side revokes a peer's credentials: its allocations end at the next sweep
      Credential credential = CREDENTIALS.get(step.credential());
      CredentialUser user = CredentialUser.parse(credential.username());
      revocations.revoke(new TurnRevocation(user == null ? null : user.peerId(), List.of(credential.username())));
    }
  }

  /**
   * The stream read as the stream listener reads a TCP or TLS connection: Vert.x chunks of the given sizes into a
   * {@link StreamAssembler}, until the stream ends or stops being TURN; then the connection closes.
   */
  List<byte[]> stream(byte[] stream, int[] chunks, List<TurnFuzzInput.Step> steps) {
    RecordingLink link = new RecordingLink(FiveTuple.tcp(CLIENTS.get(0), SERVER));
    List<byte[]> frames = new ArrayList<>();
    PacketHandler handler = frameHandler(link, steps.iterator(), frames);
    StreamAssembler assembler = new StreamAssembler();
    for (int at = 0, i = 0; at < stream.length; i++) {
      int size = Math.min(chunks[i % chunks.length], stream.length - at);
      if (!assembler.feed(ByteBuffer.wrap(stream, at, size),
          message -> handler.onPacket(message, message.position(), message.remaining(), link))) {
        break; // not TURN: the listener closes the connection
      }
      at += size;
    }
    server.onClientClosed(link);
    require(server.allocations().stream().noneMatch(a -> a.link == link),
        () -> "the stream ended but its allocation did not");
    return frames;
  }

  /** Each frame, in order, takes the next step's clock and sweep flags. */
  private PacketHandler frameHandler(RecordingLink link, Iterator<TurnFuzzInput.Step> steps, List<byte[]> frames) {
    return new PacketHandler() {
      @Override
      public void onPacket(ByteBuffer in, int off, int len, ClientLink ignored) {
        byte[] frame = new byte[len];
        in.get(off, frame);
        frames.add(frame);
        TurnFuzzInput.Step step = steps.hasNext() ? steps.next() : new TurnFuzzInput.Step(0, 0, new byte[0]);
        clock.advance(Duration.ofMillis(step.advanceMillis()));
        deliver(in, off, len, link, step);
      }

      @Override
      public void onClosed(ClientLink ignored) {
      }
    };
  }

  /**
   * The steps as one stream client's bytes, back to back: each message signed with the nonce the server issues at
   * the time it will arrive (each frame moves the clock as its step says).
   */
  byte[] streamOf(List<TurnFuzzInput.Step> steps) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long at = clock.millis();
    for (TurnFuzzInput.Step step : steps) {
      at += step.advanceMillis();
      out.writeBytes(message(step, CLIENTS.get(0), at / 1000, null, true));
    }
    return out.toByteArray();
  }

  /** What the client sends for the step: signed with the step's credential and a nonce the server issued. */
  private static byte[] message(TurnFuzzInput.Step step, InetSocketAddress client, long nowSeconds, byte[] token,
                                boolean stream) {
    Credential credential = CREDENTIALS.get(step.credential());
    long issued = nowSeconds - (step.mode() == TurnFuzzInput.SIGN_STALE ? 601 : 0);
    return TurnFuzzInput.message(step, credential.username(), credential.key(), REALM,
        NONCES.issue(client, issued), token, stream);
  }

  /** The frames of a whole stream read at once: what any chunking must come to. */
  static List<byte[]> frames(byte[] stream) {
    List<byte[]> frames = new ArrayList<>();
    ByteBuffer buffer = ByteBuffer.wrap(stream);
    for (int at = 0; ; ) {
      int length = StreamFramer.frameLength(buffer, at, stream.length - at);
      if (length <= 0 || length > stream.length - at) {
        return frames;
      }
      frames.add(Arrays.copyOfRange(stream, at, at + length));
      at += length;
    }
  }

  private void deliver(ByteBuffer in, int off, int len, RecordingLink link, TurnFuzzInput.Step step) {
    byte[] frame = new byte[len];
    in.get(off, frame);
    try {
      server.onClientPacket(in, off, len, link);
    } catch (TurnFuzzChecks.Violation violation) {
      throw violation;
    } catch (Throwable escaped) {
      throw new TurnFuzzChecks.Violation("an exception escaped the packet handler", escaped);
    }
    List<byte[]> answers = link.drain();
    checks.answers(frame, answers, link);
    for (byte[] answer : answers) {
      // read back, so that an input can redeem it (TurnFuzzInput#message)
      int token = TurnFuzzInput.attributeAt(answer, TurnFuzzInput.ATTR_RESERVATION_TOKEN, 8);
      if (token >= 0) {
        reservationToken = Arrays.copyOfRange(answer, token + 4, token + 12);
      }
    }
    if (step.sweep()) {
      server.sweep();
    }
    checks.state(step.sweep());
  }

  /** Ends every allocation, as a shutdown does, and checks that nothing is left held. */
  @Override
  public void close() {
    try {
      server.sweep();
      checks.state(true);
    } finally {
      server.close();
    }
    checks.closed();
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client link that records what the server sends it. */
  static final class RecordingLink implements ClientLink {
    private final FiveTuple fiveTuple;
    private final List<byte[]> sent = new ArrayList<>();

    RecordingLink(FiveTuple fiveTuple) {
      this.fiveTuple = fiveTuple;
    }

    @Override
    public FiveTuple fiveTuple() {
      return fiveTuple;
    }

    @Override
    public void send(ByteBuffer data) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      sent.add(bytes);
    }

    @Override
    public void close() {
    }

    /** What was sent since the last call. */
    List<byte[]> drain() {
      List<byte[]> out = List.copyOf(sent);
      sent.clear();
      return out;
    }
  }
}

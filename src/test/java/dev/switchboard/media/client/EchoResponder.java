package dev.switchboard.media.client;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.ice4j.StunException;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.UsernameAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;
import org.ice4j.message.Response;

import dev.switchboard.media.transport.DtlsServer;
import dev.switchboard.media.transport.DtlsSession;
import dev.switchboard.media.transport.NodeCertificate;
import dev.switchboard.media.transport.PacketKind;
import dev.switchboard.media.transport.SrtpKeys;
import dev.switchboard.media.transport.SrtpSession;
import dev.switchboard.turn.StunWire;

/**
 * A stand-in for the media node in the kit's own spec, built from the node's classes on loopback: answers ICE
 * checks as an ICE-lite agent (MESSAGE-INTEGRITY checked with its pwd, a 401 otherwise), selects the client's
 * address on USE-CANDIDATE, runs the node's {@link DtlsServer}, and echoes every SRTP/SRTCP packet back after
 * unprotecting it with {@link SrtpSession#forServer} and protecting it again. One reader thread does all of that,
 * so the SRTP session stays single-threaded as on the node.
 */
final class EchoResponder implements AutoCloseable {
  final String ufrag = "node" + Integer.toHexString((int) System.nanoTime());
  final String pwd = "echo-responder-password-" + System.nanoTime();
  final CompletableFuture<SrtpKeys> keys = new CompletableFuture<>();
  final AtomicInteger checksAnswered = new AtomicInteger();
  final AtomicInteger checksRefused = new AtomicInteger();
  final AtomicInteger echoed = new AtomicInteger();
  volatile boolean sawControlling;
  volatile boolean sawUseCandidate;
  private final NodeCertificate certificate = NodeCertificate.generate();
  private final DtlsServer dtlsServer = new DtlsServer(certificate);
  private final DatagramSocket socket;
  private final Thread reader;
  private final String clientFingerprint;
  private volatile InetSocketAddress selected;
  private volatile SrtpSession srtp;
  private DtlsSession dtls;

  /** @param clientFingerprint what the client's SDP would announce: its DTLS certificate must match */
  EchoResponder(String clientFingerprint) throws IOException {
    this.clientFingerprint = clientFingerprint;
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    socket.setReceiveBufferSize(1 << 20);
    reader = new Thread(this::readLoop, "echo-responder");
    reader.setDaemon(true);
    reader.start();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  String fingerprint() {
    return certificate.fingerprint();
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    reader.join(2000);
    if (dtls != null) {
      dtls.close();
    }
    dtlsServer.close();
  }

  private void readLoop() {
    byte[] buf = new byte[2048];
    DatagramPacket datagram = new DatagramPacket(buf, buf.length);
    while (true) {
      try {
        datagram.setLength(buf.length);
        socket.receive(datagram);
        InetSocketAddress from = (InetSocketAddress) datagram.getSocketAddress();
        int len = datagram.getLength();
        switch (PacketKind.of(buf[0])) {
          case STUN -> answerCheck(Arrays.copyOf(buf, len), from);
          case DTLS -> {
            if (from.equals(selected)) {
              dtls().receive(buf, 0, len);
            }
          }
          case RTP_OR_RTCP -> echo(buf, len, from);
          default -> { }
        }
      } catch (IOException e) {
        return; // socket closed
      }
    }
  }

  private void answerCheck(byte[] request, InetSocketAddress from) throws IOException {
    Message decoded;
    try {
      decoded = Message.decode(request, 0, request.length);
    } catch (StunException e) {
      return;
    }
    UsernameAttribute username = (UsernameAttribute) decoded.getAttribute(Attribute.USERNAME);
    boolean ours = username != null
        && new String(username.getUsername(), StandardCharsets.UTF_8).startsWith(ufrag + ":");
    if (!ours || !StunWire.verifyIntegrity(request, pwd.getBytes(StandardCharsets.UTF_8))) {
      checksRefused.incrementAndGet();
      send(StunWire.sign(errorResponse(decoded, 401, "Unauthorized"), null), from);
      return;
    }
    sawControlling |= decoded.getAttribute(Attribute.ICE_CONTROLLING) != null;
    if (decoded.getAttribute(Attribute.USE_CANDIDATE) != null) {
      sawUseCandidate = true;
      selected = from;
    }
    Response response = MessageFactory.createBindingResponse((Request) decoded,
        new TransportAddress(from.getAddress(), from.getPort(), Transport.UDP));
    withTransaction(response, decoded);
    send(StunWire.sign(response.encode(null), pwd.getBytes(StandardCharsets.UTF_8)), from);
    checksAnswered.incrementAndGet();
  }

  private static byte[] errorResponse(Message request, int code, String reason) {
    Response response = MessageFactory.createBindingErrorResponse((char) code, reason);
    withTransaction(response, request);
    return response.encode(null);
  }

  private static void withTransaction(Response response, Message request) {
    try {
      response.setTransactionID(request.getTransactionID());
    } catch (StunException e) {
      throw new IllegalStateException(e); // copied from a decoded request: always 12 bytes
    }
  }

  private DtlsSession dtls() {
    if (dtls == null) {
      dtls = dtlsServer.open(clientFingerprint, (b, off, len) -> {
        try {
          socket.send(new DatagramPacket(Arrays.copyOfRange(b, off, off + len), len, selected));
        } catch (IOException e) {
          // lost like a datagram; DTLS retransmits
        }
      }, new DtlsSession.Listener() {
        @Override
        public void connected(SrtpKeys negotiated) {
          srtp = SrtpSession.forServer(negotiated);
          keys.complete(negotiated);
        }

        @Override
        public void failed(Throwable cause) {
          keys.completeExceptionally(cause);
        }
      });
    }
    return dtls;
  }

  private void echo(byte[] buf, int len, InetSocketAddress from) throws IOException {
    SrtpSession session = srtp;
    if (session == null || !from.equals(selected)) {
      return;
    }
    boolean rtcp = PacketKind.isRtcp(buf[1]);
    int plain = rtcp ? session.unprotectRtcp(buf, 0, len) : session.unprotectRtp(buf, 0, len);
    if (plain < 0) {
      return;
    }
    int sealed = rtcp ? session.protectRtcp(buf, 0, plain) : session.protectRtp(buf, 0, plain);
    if (sealed > 0) {
      send(Arrays.copyOf(buf, sealed), from);
      echoed.incrementAndGet();
    }
  }

  private void send(byte[] bytes, InetSocketAddress to) throws IOException {
    socket.send(new DatagramPacket(bytes, bytes.length, to));
  }
}

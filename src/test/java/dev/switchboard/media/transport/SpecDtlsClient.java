package dev.switchboard.media.transport;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;

/**
 * A browser stand-in for the DTLS specs: a bctls DTLS 1.2 client with its own self-signed certificate that
 * offers use_srtp, wired to a {@link DtlsSession} in memory. Its datagrams go straight into
 * {@link DtlsSession#receive} (which never blocks), the node's come back through {@link #sink()}; either
 * direction can drop datagrams to play a lossy network.
 */
final class SpecDtlsClient {
  final NodeCertificate identity = NodeCertificate.generate();
  final BlockingQueue<byte[]> fromNode = new LinkedBlockingQueue<>();
  /** Datagrams from the node for which this answers true are lost. */
  volatile Predicate<byte[]> loseFromNode = datagram -> false;
  /** Datagrams to the node for which this answers true are lost. */
  volatile Predicate<byte[]> loseToNode = datagram -> false;
  volatile int handshakeTimeoutMillis = 10_000;
  /** False plays a client that answers the CertificateRequest with an empty chain. */
  volatile boolean sendsCertificate = true;
  volatile Certificate nodeCertificate;
  volatile DTLSTransport transport;

  String fingerprint() {
    return identity.fingerprint();
  }

  /** What the node's session sends with: copies, as a real socket would. */
  DtlsSession.Sink sink() {
    return (buf, off, len) -> {
      byte[] copy = Arrays.copyOfRange(buf, off, off + len);
      if (!loseFromNode.test(copy)) {
        fromNode.add(copy);
      }
    };
  }

  /** Runs the client handshake on the calling thread; the keys this side exported. */
  SrtpKeys connect(DtlsSession session, int... offeredProfiles) throws IOException {
    SrtpTlsClient client = new SrtpTlsClient(identity, offeredProfiles, handshakeTimeoutMillis, sendsCertificate, null);
    try {
      transport = new DTLSClientProtocol().connect(client, new Link(session));
    } finally {
      nodeCertificate = client.serverCertificate();
    }
    return client.keys();
  }

  private final class Link implements DatagramTransport {
    private final DtlsSession session;

    Link(DtlsSession session) {
      this.session = session;
    }

    @Override
    public int getReceiveLimit() {
      return 1500;
    }

    @Override
    public int getSendLimit() {
      return 1200;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
      try {
        byte[] datagram = fromNode.poll(waitMillis, TimeUnit.MILLISECONDS);
        if (datagram == null) {
          return -1;
        }
        int n = Math.min(len, datagram.length);
        System.arraycopy(datagram, 0, buf, off, n);
        return n;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException();
      }
    }

    @Override
    public void send(byte[] buf, int off, int len) {
      byte[] copy = Arrays.copyOfRange(buf, off, off + len);
      if (!loseToNode.test(copy)) {
        session.receive(copy, 0, copy.length);
      }
    }

    @Override
    public void close() {
    }
  }
}

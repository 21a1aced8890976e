package dev.switchboard.media.node;

import dev.switchboard.media.negotiation.Negotiator;
import dev.switchboard.media.sdp.MediaPlan;
import dev.switchboard.media.transport.DtlsSession;
import dev.switchboard.media.transport.SrtpKeys;
import dev.switchboard.media.transport.SrtpSession;
import dev.switchboard.media.transport.TransportHandler;
import dev.switchboard.media.transport.TransportSession;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * One participant's connection to the node: its ICE-lite session on the one port, DTLS (keys for SRTP), its SDP
 * plan and negotiation, and what it publishes. Packets it sends are unprotected here and handed to the room's
 * pipeline; packets for it are protected here. Packet thread only (DTLS results are handed back to it).
 */
final class Participant implements TransportHandler {
  private static final Logger LOG = Logger.getLogger(Participant.class.getName());

  private final String peerId;
  private final String room;
  private final boolean publish;
  private final RoomPipeline pipeline;
  private final LongSupplier nanos;
  private final Map<String, String> trackByMid = new LinkedHashMap<>();
  private TransportSession transport;
  private DtlsSession dtls;
  private SrtpSession srtp;
  private MediaPlan plan;
  private Negotiator negotiator;
  private boolean closed;

  Participant(String peerId, String room, boolean publish, RoomPipeline pipeline, LongSupplier nanos) {
    this.peerId = peerId;
    this.room = room;
    this.publish = publish;
    this.pipeline = pipeline;
    this.nanos = nanos;
  }

  void attach(TransportSession transport, MediaPlan plan, Negotiator negotiator) {
    this.transport = transport;
    this.plan = plan;
    this.negotiator = negotiator;
  }

  void dtls(DtlsSession dtls) {
    this.dtls = dtls;
  }

  /** On the packet thread, once the handshake gave keys. */
  void connected(SrtpKeys keys) {
    if (closed) {
      return;
    }
    srtp = SrtpSession.forServer(keys);
    LOG.fine(() -> "media of " + peerId + " in " + room + " is encrypted (" + keys.profile() + ")");
  }

  String peerId() {
    return peerId;
  }

  String room() {
    return room;
  }

  boolean publishes() {
    return publish;
  }

  RoomPipeline pipeline() {
    return pipeline;
  }

  MediaPlan plan() {
    return plan;
  }

  Negotiator negotiator() {
    return negotiator;
  }

  TransportSession transport() {
    return transport;
  }

  DtlsSession dtlsSession() {
    return dtls;
  }

  /** Mid of the client's sending section → the track id the node gave it. */
  Map<String, String> trackByMid() {
    return trackByMid;
  }

  boolean connected() {
    return srtp != null;
  }

  @Override
  public void onDtls(byte[] buf, int off, int len) {
    if (dtls != null) {
      dtls.receive(buf, off, len);
    }
  }

  @Override
  public void onRtp(byte[] buf, int off, int len) {
    if (srtp == null || !publish) {
      return;
    }
    int plain = srtp.unprotectRtp(buf, off, len);
    if (plain > 0) {
      pipeline.forwarder().onRtp(peerId, buf, off, plain, nanos.getAsLong());
    }
  }

  @Override
  public void onRtcp(byte[] buf, int off, int len) {
    if (srtp == null) {
      return;
    }
    int plain = srtp.unprotectRtcp(buf, off, len);
    if (plain > 0) {
      pipeline.feedback().onRtcp(peerId, buf, off, plain, nanos.getAsLong());
    }
  }

  @Override
  public void onSelected(InetSocketAddress remote) {
    LOG.fine(() -> "media of " + peerId + " goes to " + remote);
  }

  @Override
  public void onConsentLost() {
    LOG.info(() -> "media consent of " + peerId + " in " + room + " expired");
  }

  /** Protects and sends an RTP packet ({@code buf} has room for the tag after it); false if it cannot go yet. */
  boolean sendRtp(byte[] buf, int off, int len) {
    if (srtp == null) {
      return false;
    }
    int protectedLength = srtp.protectRtp(buf, off, len);
    return protectedLength > 0 && transport.send(buf, off, protectedLength);
  }

  boolean sendRtcp(byte[] buf, int off, int len) {
    if (srtp == null) {
      return false;
    }
    int protectedLength = srtp.protectRtcp(buf, off, len);
    return protectedLength > 0 && transport.send(buf, off, protectedLength);
  }

  void close() {
    closed = true;
    if (dtls != null) {
      dtls.close();
    }
    if (srtp != null) {
      srtp.close();
      srtp = null;
    }
  }
}

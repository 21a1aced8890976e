package dev.switchboard.turn;

import dev.switchboard.turn.allocation.Allocation;
import dev.switchboard.turn.allocation.AllocationManager;
import dev.switchboard.turn.allocation.ClientLink;
import dev.switchboard.turn.allocation.RelaySocket;
import dev.switchboard.turn.listen.PacketHandler;
import dev.switchboard.turn.listen.PeerPacketHandler;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Relaying: ChannelData and Send indications from clients to peers, and peers' datagrams back to clients as
 * ChannelData or Data indications, in the callers' reused buffers. Requests go to the {@link RequestHandler}.
 * Every lookup is by the client's 5-tuple, and an allocation, permission or channel whose lifetime has run out
 * relays nothing, swept or not.
 */
final class DataPath implements PacketHandler, PeerPacketHandler {
  private static final Logger LOG = Logger.getLogger(DataPath.class.getName());
  /** Room in front of a peer's payload for the largest Data indication header (IPv6 peer). */
  static final int PEER_PREFIX = StunWire.dataIndicationPrefix(16);

  final LongAdder relayedPackets = new LongAdder();
  final LongAdder relayedBytes = new LongAdder();
  private final AllocationManager allocations;
  private final PeerPolicy policy;
  private final Clock clock;
  private final AtomicLong indicationCounter = new AtomicLong();
  private final ThreadLocal<StunWire.SendIndication> sendIndications = ThreadLocal.withInitial(StunWire.SendIndication::new);
  private RequestHandler requests;
  private PeerSend peerSend = (relay, payload, peer) -> relay.send(payload, peer);

  /** Sends a relayed payload (the buffer's remaining bytes) from an allocation's relay socket to a peer. */
  interface PeerSend {
    void send(RelaySocket relay, ByteBuffer payload, InetSocketAddress peer) throws IOException;
  }

  /** The relay socket itself, unless a spec records instead (so that no datagram leaves the process). */
  void peerSend(PeerSend peerSend) {
    this.peerSend = peerSend;
  }

  /** @param policy asked of every relayed packet only where a permission's IP is the media node's exception */
  DataPath(AllocationManager allocations, PeerPolicy policy, Clock clock) {
    this.allocations = allocations;
    this.policy = policy;
    this.clock = clock;
  }

  void requests(RequestHandler requests) {
    this.requests = requests;
  }

  @Override
  public void onPacket(ByteBuffer in, int off, int len, ClientLink link) {
    if (len < 4) {
      return;
    }
    int first = in.get(off) & 0xff;
    if (StunWire.isChannelData(first)) {
      relayChannelData(in, off, len, link);
    } else if (StunWire.isStun(in, off, len)) {
      int type = in.getShort(off) & 0xffff;
      if (type == StunWire.SEND_INDICATION) {
        relaySendIndication(in, off, len, link);
      } else if ((type & 0x0110) == 0) {
        byte[] raw = new byte[StunWire.HEADER + (in.getShort(off + 2) & 0xffff)];
        in.get(off, raw);
        requests.onRequest(raw, link);
      }
    }
  }

  /**
   * A stream client's connection ended, and the allocation made on it goes with it (RFC 8656 §2.1); only that
   * one: a later connection with the same 5-tuple may hold an allocation of its own by the time this runs.
   */
  @Override
  public void onClosed(ClientLink link) {
    Allocation allocation = allocations.get(link.fiveTuple());
    if (allocation != null && allocation.link == link) {
      allocations.end(allocation);
    }
  }

  private void relayChannelData(ByteBuffer in, int off, int len, ClientLink link) {
    Allocation allocation = allocations.get(link.fiveTuple());
    int length = in.getShort(off + 2) & 0xffff;
    long now = clock.millis();
    if (allocation == null || 4 + length > len || !allocation.alive(now)) {
      return;
    }
    Allocation.Channel channel = allocation.channel(in.getShort(off) & 0xffff, now);
    // the channel outlives the permission it installed (10 minutes against 5) unless refreshed: both must hold
    if (channel != null && allocation.permitted(channel.peer().getAddress(), now)) {
      sendToPeer(allocation, in, off + 4, length, channel.peer());
    }
  }

  private void relaySendIndication(ByteBuffer in, int off, int len, ClientLink link) {
    Allocation allocation = allocations.get(link.fiveTuple());
    StunWire.SendIndication send = sendIndications.get();
    long now = clock.millis();
    if (allocation == null || !allocation.alive(now) || !send.parse(in, off, len)) {
      return;
    }
    InetSocketAddress peer = allocation.lastIndicationPeer;
    if (peer == null || peer.getPort() != send.peerPort || !sameAddress(peer.getAddress(), send)) {
      try {
        byte[] ip = Arrays.copyOf(send.peerIp, send.peerIpLength);
        peer = new InetSocketAddress(PeerPolicy.canonical(InetAddress.getByAddress(ip)), send.peerPort);
      } catch (IOException e) {
        return;
      }
      allocation.lastIndicationPeer = peer;
    }
    if (allocation.permitted(peer.getAddress(), now) && policy.relays(peer.getAddress(), peer.getPort())) {
      sendToPeer(allocation, in, send.dataOffset, send.dataLength, peer);
    }
  }

  private static boolean sameAddress(InetAddress address, StunWire.SendIndication send) {
    byte[] known = address.getAddress();
    if (known.length != send.peerIpLength) {
      return false;
    }
    for (int i = 0; i < known.length; i++) {
      if (known[i] != send.peerIp[i]) {
        return false;
      }
    }
    return true;
  }

  private void sendToPeer(Allocation allocation, ByteBuffer in, int offset, int length, InetSocketAddress peer) {
    if (!allocation.spend(length, System.nanoTime())) {
      return;
    }
    int limit = in.limit();
    int position = in.position();
    try {
      in.limit(offset + length).position(offset);
      peerSend.send(allocation.relay, in, peer);
      count(length);
    } catch (IOException e) {
      LOG.log(Level.FINE, "relay to " + peer + " failed", e);
    } finally {
      in.limit(limit).position(position);
    }
  }

  private void count(int length) {
    relayedPackets.increment();
    relayedBytes.add(length);
  }

  /**
   * One datagram a peer sent to the allocation's relay address: to the client as ChannelData when a channel is
   * bound to the peer, as a Data indication otherwise, when its permissions allow.
   * @param out the payload at {@link #PEER_PREFIX}, {@code length} long; the header is written in front of it
   */
  @Override
  public int peerPrefix() {
    return PEER_PREFIX;
  }

  @Override
  public void onPeerPacket(Allocation allocation, ByteBuffer out, int length, InetSocketAddress peer) {
    long now = clock.millis();
    if (!allocation.alive(now) || !allocation.permitted(peer.getAddress(), now)
        || !policy.relays(peer.getAddress(), peer.getPort()) || !allocation.spend(length, System.nanoTime())) {
      return;
    }
    Allocation.Channel channel = allocation.channelTo(peer, now);
    int start;
    int end = PEER_PREFIX + length;
    if (channel != null) {
      start = PEER_PREFIX - 4;
      out.putShort(start, (short) channel.number());
      out.putShort(start + 2, (short) length);
      if (allocation.link.stream()) {
        int padding = (4 - (length & 3)) & 3;
        for (int p = 0; p < padding; p++) {
          out.put(end + p, (byte) 0);
        }
        end += padding;
      }
    } else {
      byte[] ip = peer.getAddress().getAddress();
      start = StunWire.writeDataIndication(out, PEER_PREFIX, length, ip, peer.getPort(),
          indicationCounter.incrementAndGet());
      end += (4 - (length & 3)) & 3;
    }
    out.limit(end).position(start);
    allocation.link.send(out);
    count(length);
  }
}

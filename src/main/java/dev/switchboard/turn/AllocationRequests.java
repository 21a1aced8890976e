package dev.switchboard.turn;

import dev.switchboard.turn.allocation.Allocation;
import dev.switchboard.turn.allocation.AllocationManager;
import dev.switchboard.turn.allocation.ClientLink;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ChannelNumberAttribute;
import org.ice4j.attribute.LifetimeAttribute;
import org.ice4j.attribute.RequestedTransportAttribute;
import org.ice4j.attribute.ReservationTokenAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.Response;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Allocate, Refresh, CreatePermission and ChannelBind (RFC 8656 §7-§12) for an authenticated client. The
 * allocation manager and the allocation decide, under their locks, whether a change happens; this class turns
 * the request into that call and the outcome into an answer.
 */
final class AllocationRequests {
  static final long PERMISSION_MILLIS = 300_000;
  static final long CHANNEL_MILLIS = 600_000;

  private final TurnSettings settings;
  private final PeerPolicy policy;
  private final AllocationManager allocations;
  private final Replies replies;
  private final Clock clock;

  AllocationRequests(TurnSettings settings, PeerPolicy policy, AllocationManager allocations, Replies replies,
                     Clock clock) {
    this.settings = settings;
    this.policy = policy;
    this.allocations = allocations;
    this.replies = replies;
    this.clock = clock;
  }

  void allocate(Message request, ClientLink link, LongTermAuth.Result auth, Allocation existing,
                RequestHandler.Extras extras) {
    if (existing != null) {
      boolean retransmit = Arrays.equals(existing.allocateTransaction, request.getTransactionID());
      replies.send(link, retransmit ? allocated(request, existing, null) : replies.error(request, 437), auth.key());
      return;
    }
    int refusal = refusal(request, extras);
    if (refusal != 0) {
      replies.send(link, replies.error(request, refusal), auth.key());
      return;
    }
    InetAddress relayIp = extras.family() == 2 ? settings.relayIpv6() : settings.relayIp();
    InetAddress advertisedIp = relayIp instanceof Inet4Address && settings.externalIp() != null
        ? settings.externalIp() : relayIp;
    ReservationTokenAttribute token = (ReservationTokenAttribute) request.getAttribute(Attribute.RESERVATION_TOKEN);
    Boolean evenPort = extras.evenPortReserve();
    AllocationManager.Outcome outcome = allocations.create(new AllocationManager.Request(link.fiveTuple(), link,
        auth.username(), auth.key(), relayIp, advertisedIp, request.getTransactionID(), lifetimeMillis(request),
        evenPort != null, Boolean.TRUE.equals(evenPort), token == null ? null : token.getReservationToken()));
    if (outcome.refusal() != null) {
      replies.send(link, replies.error(request, outcome.refusal().code), auth.key());
      return;
    }
    replies.send(link, allocated(request, outcome.allocation(), outcome.reservationToken()), auth.key());
  }

  /** What is wrong with an Allocate before any resource is looked at, as an error code; 0 when nothing. */
  private int refusal(Message request, RequestHandler.Extras extras) {
    RequestedTransportAttribute transport = (RequestedTransportAttribute) request.getAttribute(Attribute.REQUESTED_TRANSPORT);
    if (transport == null) {
      return 400;
    }
    if (transport.getRequestedTransport() != RequestedTransportAttribute.UDP) {
      return 442;
    }
    int family = extras.family();
    if ((family != 0 && family != 1 && family != 2) || (family == 2 ? settings.relayIpv6() : settings.relayIp()) == null) {
      return 440;
    }
    if (request.containsAttribute(Attribute.RESERVATION_TOKEN) && extras.evenPortReserve() != null) {
      return 400;
    }
    return 0;
  }

  private Response allocated(Message request, Allocation allocation, byte[] reservationToken) {
    Response response = replies.success(request);
    response.putAttribute(AttributeFactory.createXorRelayedAddressAttribute(
        new TransportAddress(allocation.advertised, Transport.UDP), request.getTransactionID()));
    response.putAttribute(AttributeFactory.createLifetimeAttribute(
        (int) Math.max(0, (allocation.expiresAt() - clock.millis()) / 1000)));
    response.putAttribute(AttributeFactory.createXorMappedAddressAttribute(new TransportAddress(
        allocation.link.remote(), allocation.link.stream() ? Transport.TCP : Transport.UDP), request.getTransactionID()));
    if (reservationToken != null) {
      response.putAttribute(AttributeFactory.createReservationTokenAttribute(reservationToken));
    }
    return response;
  }

  private long lifetimeMillis(Message request) {
    LifetimeAttribute lifetime = (LifetimeAttribute) request.getAttribute(Attribute.LIFETIME);
    long seconds = lifetime == null ? settings.defaultLifetimeSeconds()
        : Math.min(Math.max(lifetime.getLifetime() & 0xffffffffL, settings.defaultLifetimeSeconds()),
        settings.maxLifetimeSeconds());
    return seconds * 1000;
  }

  void refresh(Message request, ClientLink link, Allocation allocation) {
    LifetimeAttribute lifetime = (LifetimeAttribute) request.getAttribute(Attribute.LIFETIME);
    Response response = replies.success(request);
    if (lifetime != null && lifetime.getLifetime() == 0) {
      if (!allocations.delete(allocation)) {
        replies.send(link, replies.error(request, 437), allocation.key);
        return;
      }
      response.putAttribute(AttributeFactory.createLifetimeAttribute(0));
    } else {
      long millis = lifetimeMillis(request);
      if (!allocations.refresh(allocation, millis)) {
        // it ran out before this request: a success here would promise an allocation the sweeper ends anyway
        replies.send(link, replies.error(request, 437), allocation.key);
        return;
      }
      response.putAttribute(AttributeFactory.createLifetimeAttribute((int) (millis / 1000)));
    }
    replies.send(link, response, allocation.key);
  }

  /**
   * Installs a permission for every XOR-PEER-ADDRESS of the request, or for none: one peer refused refuses the
   * request (RFC 8656 §9). The addresses are read from the raw bytes, since the decoded message holds only one.
   */
  void createPermission(Message request, byte[] raw, ClientLink link, Allocation allocation) {
    List<InetSocketAddress> addresses = StunWire.xorPeerAddresses(raw);
    if (addresses == null || addresses.isEmpty()) {
      replies.send(link, replies.error(request, 400), allocation.key);
      return;
    }
    List<InetAddress> peers = new ArrayList<>(addresses.size());
    for (InetSocketAddress address : addresses) {
      InetSocketAddress peer = canonical(address);
      int refusal = refusal(peer, allocation);
      if (refusal != 0) {
        replies.send(link, replies.error(request, refusal), allocation.key);
        return;
      }
      peers.add(peer.getAddress());
    }
    Allocation.Change change = allocation.permit(peers, clock.millis(), PERMISSION_MILLIS, settings.maxPermissions());
    answer(request, link, allocation, change);
  }

  /** Binds a channel to the one peer of the request (RFC 8656 §11): a missing, repeated or malformed peer is a 400. */
  void channelBind(Message request, byte[] raw, ClientLink link, Allocation allocation) {
    ChannelNumberAttribute number = (ChannelNumberAttribute) request.getAttribute(Attribute.CHANNEL_NUMBER);
    List<InetSocketAddress> peers = StunWire.xorPeerAddresses(raw);
    // RFC 8656 narrowed channels to 0x4000-0x4FFF; RFC 5766 allows 0x4000-0x7FFF, and coturn's own client tools
    // draw from all of it (0x7FFF included; coturn accepts it)
    if (number == null || peers == null || peers.size() != 1 || number.getChannelNumber() < 0x4000
        || number.getChannelNumber() > 0x7FFF) {
      replies.send(link, replies.error(request, 400), allocation.key);
      return;
    }
    InetSocketAddress peer = canonical(peers.get(0));
    int refusal = refusal(peer, allocation);
    if (refusal != 0) {
      replies.send(link, replies.error(request, refusal), allocation.key);
      return;
    }
    Allocation.Change change = allocation.bindChannel(number.getChannelNumber(), peer, clock.millis(), CHANNEL_MILLIS,
        PERMISSION_MILLIS, settings.maxChannels());
    answer(request, link, allocation, change);
  }

  private void answer(Message request, ClientLink link, Allocation allocation, Allocation.Change change) {
    Response response = switch (change) {
      case OK -> replies.success(request);
      case ENDED -> replies.error(request, 437);
      case CONFLICT -> replies.error(request, 400);
      case FULL -> replies.error(request, 508);
    };
    replies.send(link, response, allocation.key);
  }

  /** 0 when the peer may be used, else the error code: 443 for a family mismatch, 403 when refused. */
  private int refusal(InetSocketAddress peer, Allocation allocation) {
    boolean relayIsV4 = allocation.advertised.getAddress() instanceof Inet4Address;
    if (relayIsV4 != (peer.getAddress() instanceof Inet4Address)) {
      return 443;
    }
    return policy.permits(peer) ? 0 : 403;
  }

  /** IPv6 spellings of IPv4 peers (mapped, NAT64, ...) as IPv4, so permissions and the policy see one form. */
  private static InetSocketAddress canonical(InetSocketAddress address) {
    return new InetSocketAddress(PeerPolicy.canonical(address.getAddress()), address.getPort());
  }
}

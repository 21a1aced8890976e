package dev.switchboard.gateway;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.SignalDelivery;
import dev.switchboard.bus.SignalRequest;
import dev.switchboard.channel.ChannelError;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.room.RegistryClient;
import dev.switchboard.room.RoomRefusal;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * A signal from one of this instance's peers to another member of its room (protocol.md §3: {@code ok} means
 * delivered). When the room's events say both are members, the registry is not asked: a target on this node
 * is written directly on its own event loop, one on another node gets one bus request to its address. Any
 * other signal (a target the events have not shown yet, or no longer) asks the registry, which checks the
 * store. Every path ends at the target's session, which delivers only while its socket is in (or joining, or
 * held for) the room, so a stale cache entry is refused there, never delivered.
 */
final class SignalRelay {
  enum Path {
    /** The registry checks the store and hands the signal to the target's address. */
    REGISTRY,
    /** The target's session is on this node: written on its event loop. */
    DIRECT,
    /** The target is on another node: one request to its address. */
    BUS;

    final String tag = name().toLowerCase(java.util.Locale.ROOT);
  }

  /** As the registry's own hand-over: shorter than the sender's wait for the registry. */
  static final long DELIVERY_TIMEOUT_MILLIS = 3_000;
  private static final DeliveryOptions DELIVERY = new DeliveryOptions().setSendTimeout(DELIVERY_TIMEOUT_MILLIS);

  private final RegistryClient registry;
  private final RoomMembers members;
  private final LocalPeers peers;
  private final EventBus bus;
  private final DeliveryDeadlines deadlines;
  private final SwitchboardMetrics metrics;

  SignalRelay(RegistryClient registry, RoomMembers members, LocalPeers peers, EventBus bus,
              DeliveryDeadlines deadlines, SwitchboardMetrics metrics) {
    this.metrics = metrics;
    this.registry = registry;
    this.members = members;
    this.peers = peers;
    this.bus = bus;
    this.deadlines = deadlines;
  }

  /** Completes once the target's socket took the signal (or held it for a resume); fails with the reason. */
  Future<Void> relay(SignalLanes<Path> lanes, SignalRequest request) {
    return lanes.submit(request.to(), () -> pathOf(request), path -> send(path, request))
        .recover(failure -> {
          if (ChannelError.UNKNOWN_PEER.equals(reasonOf(failure))) {
            // whatever the events said, the target is not there: the next signal asks the registry
            members.forget(request.room(), request.to());
          }
          return Future.failedFuture(failure);
        });
  }

  private Path pathOf(SignalRequest request) {
    if (!members.share(request.room(), request.from(), request.to())) {
      return Path.REGISTRY;
    }
    return peers.get(request.to()) != null ? Path.DIRECT : Path.BUS;
  }

  private Future<Void> send(Path path, SignalRequest request) {
    metrics.signalPath(path.tag);
    return switch (path) {
      case REGISTRY -> registry.signal(request);
      case DIRECT -> direct(request.to(), request.delivery());
      case BUS -> overTheBus(request.to(), request.delivery());
    };
  }

  private Future<Void> direct(String target, SignalDelivery delivery) {
    LocalPeers.Local local = peers.get(target);
    if (local == null) {
      // its session ended (or moved) since the path was chosen: its address tells where it is now
      return overTheBus(target, delivery);
    }
    Context here = Vertx.currentContext();
    if (local.context() == here) {
      return deadlines.watch(local.session().deliverDirect(delivery));
    }
    Promise<Void> delivered = Promise.promise();
    // the target's socket is only touched on its own loop; the outcome comes back to the sender's
    local.context().runOnContext(v -> local.session().deliverDirect(delivery)
        .onComplete(done -> here.runOnContext(back -> delivered.handle(done))));
    return deadlines.watch(delivered.future());
  }

  private Future<Void> overTheBus(String target, SignalDelivery delivery) {
    return bus.request(Addresses.peer(target), delivery, DELIVERY)
        .<Void>mapEmpty()
        .recover(failure -> Future.failedFuture(new RoomRefusal(BusFailure.deliveryReasonOf(failure))));
  }

  private static String reasonOf(Throwable failure) {
    if (failure instanceof ChannelError error) {
      return error.reason();
    }
    return failure instanceof RoomRefusal refusal ? refusal.reason() : null;
  }
}

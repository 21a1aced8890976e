package dev.switchboard.room;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.MemberUpdate;
import dev.switchboard.bus.MembersRequest;
import dev.switchboard.bus.PeerKick;
import dev.switchboard.bus.ReapedPeers;
import dev.switchboard.bus.RecordCodec;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalDelivery;
import dev.switchboard.bus.SignalRequest;
import dev.switchboard.metrics.SwitchboardMetrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Event-bus face of the {@link RoomRegistry}. Exactly one instance per node owns the room state. */
public final class RoomRegistryVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(RoomRegistryVerticle.class.getName());

  private static final long STORE_CHECK_MILLIS = 1_000;
  private final RoomStore store;
  private final int maxPeers;
  private final SwitchboardMetrics metrics;

  public RoomRegistryVerticle(RoomStore store, int maxPeers, SwitchboardMetrics metrics) {
    this.store = store;
    this.maxPeers = maxPeers;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    RecordCodec.install(bus);
    RoomRegistry registry = new RoomRegistry(store, new BusSink(bus), maxPeers);
    metrics.registry().gauge("switchboard.rooms.active", store, RoomStore::roomCount);
    // cancelled with the verticle on undeploy
    vertx.setPeriodic(STORE_CHECK_MILLIS, t -> registry.checkStore());
    return Future.all(List.of(
        serve(bus, Addresses.ROOM_JOIN, (JsonObject json) -> registry.join(JoinRequest.fromJson(json)).map(r -> r.toJson())),
        serve(bus, Addresses.ROOM_LEAVE, (JsonObject json) -> registry.leave(LeaveRequest.fromJson(json))
            .map(removed -> new JsonObject().put("removed", removed))),
        serve(bus, Addresses.ROOM_UPDATE, (JsonObject json) -> registry.update(MemberUpdate.fromJson(json))
            .map(changed -> new JsonObject().put("changed", changed))),
        serve(bus, Addresses.ROOM_SIGNAL, (SignalRequest request) -> registry.signal(request).map(v -> null)),
        serve(bus, Addresses.ROOM_MEMBERS, (JsonObject json) -> registry.members(MembersRequest.fromJson(json).room())
            .map(members -> new JsonObject().put("peers", new JsonArray(members.stream().map(Member::peerId).toList()))
                .put("members", new JsonArray(members.stream().map(Member::wireJson).toList())))),
        announceReaped(bus),
        serve(bus, Addresses.ROOM_REAP, (JsonObject json) -> (json.getBoolean("only_if_silent", false)
            ? registry.reapSilentNode(json.getString("node_id")) : registry.reapNode(json.getString("node_id")))
            .map(count -> new JsonObject().put("removed", count)))));
  }

  /**
   * Every node (this one included) announces a reap's departures to its own sockets: each as its room's
   * {@code peer:left}, delivered locally, so no room's subscribers are looked up in the cluster. An empty batch
   * is published once registered: the bus then knows the address's subscribers (and keeps them current), so a
   * reap, which comes with the cluster busy dropping a member, waits for no lookup at all.
   */
  private static Future<Void> announceReaped(EventBus bus) {
    DeliveryOptions local = new DeliveryOptions().setLocalOnly(true);
    return bus.<JsonObject>consumer(Addresses.ROOM_REAPED, message -> {
      for (ReapedPeers.Departure gone : ReapedPeers.fromJson(message.body()).departures()) {
        bus.publish(Addresses.roomEvents(gone.room()),
            RoomEvent.left(gone.room(), gone.peerId(), RoomEvent.LEFT_NODE_LOST).toJson(), local);
      }
    }).completion().onSuccess(v -> bus.publish(Addresses.ROOM_REAPED, new ReapedPeers(List.of()).toJson()));
  }

  /** One place turns results into replies and failures into stable reasons; every request is answered once. */
  private static <T> Future<Void> serve(EventBus bus, String address, Function<T, Future<JsonObject>> handler) {
    return bus.<T>localConsumer(address, message -> answer(message, handler)).completion();
  }

  private static <T> void answer(Message<T> message, Function<T, Future<JsonObject>> handler) {
    Future<JsonObject> result;
    try {
      result = handler.apply(message.body());
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(done -> {
      if (done.succeeded()) {
        message.reply(done.result());
      } else if (done.cause() instanceof RoomRefusal refusal) {
        message.fail(BusFailure.REFUSED, refusal.reason());
      } else {
        LOG.log(Level.WARNING, "registry request on " + message.address() + " failed", done.cause());
        message.fail(500, BusFailure.REGISTRY_UNAVAILABLE);
      }
    });
  }

  private record BusSink(EventBus bus) implements RoomEventSink {
    /** Shorter than the gateway's wait for the registry, so the sender hears the real reason. */
    private static final DeliveryOptions DELIVERY = new DeliveryOptions().setSendTimeout(3_000);

    @Override
    public void publish(RoomEvent event) {
      bus.publish(Addresses.roomEvents(event.room()), event.toJson());
    }

    /** Departures per message: a reap of 19,000 peers goes out in a few messages of bounded size. */
    private static final int REAPED_BATCH = 1_000;

    @Override
    public void reaped(List<Membership> removed) {
      for (int from = 0; from < removed.size(); from += REAPED_BATCH) {
        List<ReapedPeers.Departure> batch = removed.subList(from, Math.min(removed.size(), from + REAPED_BATCH))
            .stream().map(m -> new ReapedPeers.Departure(m.room(), m.peerId())).toList();
        bus.publish(Addresses.ROOM_REAPED, new ReapedPeers(batch).toJson());
      }
    }

    @Override
    public void kick(String peerId, PeerKick kick) {
      bus.send(Addresses.peer(peerId), kick.toJson(), new DeliveryOptions().addHeader(Addresses.PEER_OP, Addresses.PEER_KICK));
    }

    @Override
    public Future<Void> deliver(String targetPeerId, SignalDelivery delivery) {
      return bus.request(Addresses.peer(targetPeerId), delivery, DELIVERY)
          .<Void>mapEmpty()
          .recover(failure -> Future.failedFuture(new RoomRefusal(BusFailure.deliveryReasonOf(failure))));
    }
  }
}

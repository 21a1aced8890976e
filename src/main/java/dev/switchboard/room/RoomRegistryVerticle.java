package dev.switchboard.room;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.MemberUpdate;
import dev.switchboard.bus.MembersRequest;
import dev.switchboard.bus.PeerKick;
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
    return Future.all(
        serve(bus, Addresses.ROOM_JOIN, (JsonObject json) -> registry.join(JoinRequest.fromJson(json)).map(r -> r.toJson())),
        serve(bus, Addresses.ROOM_LEAVE, (JsonObject json) -> registry.leave(LeaveRequest.fromJson(json))
            .map(removed -> new JsonObject().put("removed", removed))),
        serve(bus, Addresses.ROOM_UPDATE, (JsonObject json) -> registry.update(MemberUpdate.fromJson(json))
            .map(changed -> new JsonObject().put("changed", changed))),
        serve(bus, Addresses.ROOM_SIGNAL, (SignalRequest request) -> registry.signal(request).map(v -> null)),
        serve(bus, Addresses.ROOM_MEMBERS, (JsonObject json) -> registry.members(MembersRequest.fromJson(json).room())
            .map(members -> new JsonObject().put("peers", new JsonArray(members.stream().map(Member::peerId).toList()))
                .put("members", new JsonArray(members.stream().map(Member::wireJson).toList())))),
        serve(bus, Addresses.ROOM_REAP, (JsonObject json) -> (json.getBoolean("only_if_silent", false)
            ? registry.reapSilentNode(json.getString("node_id")) : registry.reapNode(json.getString("node_id")))
            .map(count -> new JsonObject().put("removed", count))));
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

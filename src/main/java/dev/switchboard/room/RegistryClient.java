package dev.switchboard.room;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.JoinReply;
import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.MemberUpdate;
import dev.switchboard.bus.MembersRequest;
import dev.switchboard.bus.SignalRequest;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Typed calls to this node's registry. Failures come back as {@link RoomRefusal} with the registry's
 * reason, or {@code registry_unavailable} when it did not answer.
 */
public final class RegistryClient {
  private final EventBus bus;
  private final DeliveryOptions options;

  public RegistryClient(EventBus bus, long timeoutMillis) {
    this.bus = bus;
    // The registry is node-local: signals of one sender must all pass through the same registry to keep their order.
    this.options = new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMillis);
  }

  public Future<JoinReply> join(JoinRequest request) {
    return call(Addresses.ROOM_JOIN, request.toJson()).map(JoinReply::fromJson);
  }

  public Future<Boolean> leave(LeaveRequest request) {
    return call(Addresses.ROOM_LEAVE, request.toJson()).map(json -> json.getBoolean("removed"));
  }

  public Future<Boolean> update(MemberUpdate update) {
    return call(Addresses.ROOM_UPDATE, update.toJson()).map(json -> json.getBoolean("changed"));
  }

  public Future<Void> signal(SignalRequest request) {
    return call(Addresses.ROOM_SIGNAL, request).mapEmpty();
  }

  public Future<List<String>> members(String room) {
    return call(Addresses.ROOM_MEMBERS, new MembersRequest(room).toJson())
        .map(json -> json.getJsonArray("peers").stream().map(String::valueOf).toList());
  }

  private Future<JsonObject> call(String address, Object body) {
    return bus.<JsonObject>request(address, body, options)
        .map(Message::body)
        .recover(failure -> Future.failedFuture(new RoomRefusal(BusFailure.reasonOf(failure))));
  }
}

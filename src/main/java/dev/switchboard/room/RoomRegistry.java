package dev.switchboard.room;

import dev.switchboard.bus.JoinReply;
import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.MemberUpdate;
import dev.switchboard.bus.PeerKick;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalRequest;
import dev.switchboard.bus.BusFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The rules of rooms, independent of transport: admission, the one {@code peer:left} per departure,
 * and the check that a signal's sender and target share the room before anything is sent.
 */
public final class RoomRegistry {
  public static final String ROOM_FULL = "room_full";
  public static final String INVALID_ROOM = "invalid_room";
  public static final String UNKNOWN_PEER = "unknown_peer";

  private final RoomStore store;
  private final RoomEventSink sink;
  private final int maxPeers;
  /**
   * The last operation of each peer still in flight: its joins, leaves and signals run one after another,
   * so a leave never overtakes the join it undoes (pooled store connections can complete out of order) and
   * a sender's signals keep their order. Entries disappear when the operation completes.
   */
  private final Map<String, Future<?>> lastOperationOf = new ConcurrentHashMap<>();
  private final ConfirmedMembers confirmed;
  /** This node's members, re-asserted when the store comes back (it may have restarted empty). */
  private final Map<Membership, Member> localMembers = new ConcurrentHashMap<>();
  /** How many of this node's members each room has. */
  private final Map<String, Integer> localCountOf = new ConcurrentHashMap<>();
  /**
   * Departures the store did not record yet, recorded when it answers again. A departure of a member this
   * node knew is announced then even if the store lost it meanwhile (it may have restarted empty); the undo
   * of a join that never answered is announced only if it really removed someone.
   */
  private final Map<Membership, String> pendingLeaves = new ConcurrentHashMap<>();
  /** In {@link #pendingLeaves}: the undo of a join nobody may have seen (announced only if it removed someone). */
  private static final String UNDO = "";
  /** Joins whose store call failed (e.g. timed out) but may have been applied late: removed on recovery. */
  private final Set<Membership> uncertainJoins = ConcurrentHashMap.newKeySet();
  private volatile boolean storeReachable = true;

  public RoomRegistry(RoomStore store, RoomEventSink sink, int maxPeers) {
    this.store = store;
    this.sink = sink;
    this.maxPeers = maxPeers;
    this.confirmed = new ConfirmedMembers(maxPeers);
  }

  public Future<JoinReply> join(JoinRequest request) {
    if (!RoomIds.isValid(request.room())) {
      return Future.failedFuture(new RoomRefusal(INVALID_ROOM));
    }
    return inTurn(request.peerId(), () -> admit(request));
  }

  private Future<JoinReply> admit(JoinRequest request) {
    Member member = new Member(request.peerId(), request.nodeId(), request.profile(), true);
    Membership membership = new Membership(request.room(), request.peerId());
    return store.join(request.room(), member, maxPeers).recover(failure -> {
      // a timed-out join may still be applied by the store: withdrawn once it answers again
      uncertainJoins.add(membership);
      return unreachable(failure);
    }).map(result -> {
      if (!result.admitted()) {
        throw new RoomRefusal(ROOM_FULL);
      }
      String room = request.room();
      if (result.replaced() != null) {
        String old = result.replaced().peerId();
        forgetLocal(new Membership(room, old));
        sink.publish(RoomEvent.left(room, old, RoomEvent.LEFT_REPLACED));
        sink.kick(old, new PeerKick(room, RoomEvent.LEFT_REPLACED));
      }
      if (!result.alreadyMember()) {
        sink.publish(RoomEvent.joined(room, request.peerId(), member.wireJson()));
      } else if (result.wasDisconnected()) {
        sink.publish(RoomEvent.state(room, request.peerId(), true));
      }
      uncertainJoins.remove(membership);
      if (localMembers.put(membership, member) == null) {
        localCountOf.merge(room, 1, Integer::sum);
      }
      JsonArray members = new JsonArray();
      result.present().forEach(m -> members.add(m.wireJson()));
      return new JoinReply(result.present().stream().map(Member::peerId).toList(), members, result.alreadyMember());
    });
  }

  /** This node no longer counts the membership as its own (it left, was replaced, or its session moved). */
  private boolean forgetLocal(Membership membership) {
    confirmed.forget(membership.room(), membership.peerId());
    boolean known = localMembers.remove(membership) != null;
    if (known && localCountOf.computeIfPresent(membership.room(),
        (room, count) -> count == 1 ? null : count - 1) == null) {
      confirmed.forgetRoom(membership.room());
    }
    return known;
  }

  /**
   * A member's connection state ({@code peer:state}, announced once per change), an admin's removal
   * ({@code peer:left {reason:"removed"}}, and the removed peer's channel is closed), or a session that moved
   * to another node (bookkeeping only). Runs in the member's turn, after its join or leave in flight.
   */
  public Future<Boolean> update(MemberUpdate update) {
    String room = update.room();
    String peerId = update.peerId();
    return inTurn(peerId, () -> switch (update.op()) {
      case DISCONNECTED, CONNECTED -> {
        boolean connected = update.op() == MemberUpdate.Op.CONNECTED;
        yield store.setConnected(room, peerId, connected).map(changed -> {
          if (changed) {
            sink.publish(RoomEvent.state(room, peerId, connected));
          }
          return changed;
        });
      }
      case REMOVE -> {
        forgetLocal(new Membership(room, peerId));
        yield store.leave(room, peerId).map(result -> {
          if (result.removed()) {
            if (!result.roomEmptied()) {
              sink.publish(RoomEvent.left(room, peerId, RoomEvent.LEFT_REMOVED));
            }
            sink.kick(peerId, new PeerKick(room, RoomEvent.LEFT_REMOVED));
          }
          return result.removed();
        });
      }
      case FORGET -> Future.succeededFuture(forgetLocal(new Membership(room, peerId)));
    });
  }

  /**
   * Idempotent: only the call that actually removed the member announces {@code peer:left}. When the
   * store is unreachable the departure is kept and announced once the store records it. Runs after any
   * join of the same peer still in flight, so it also undoes a join whose caller gave up waiting.
   */
  public Future<Boolean> leave(LeaveRequest request) {
    return inTurn(request.peerId(), () -> depart(request));
  }

  private Future<Boolean> depart(LeaveRequest request) {
    Membership membership = new Membership(request.room(), request.peerId());
    boolean known = forgetLocal(membership);
    return store.leave(request.room(), request.peerId()).map(result -> {
      // an emptied room has nobody left to tell
      if (result.removed() && !result.roomEmptied()) {
        sink.publish(RoomEvent.left(request.room(), request.peerId(), request.reason()));
      }
      return result.removed();
    }).recover(failure -> {
      pendingLeaves.merge(membership, known ? request.reason() : UNDO, (a, b) -> a.isEmpty() ? b : a);
      return unreachable(failure);
    });
  }

  /**
   * Checks that sender and target share the room, hands the signal to the target and completes when the
   * target's socket took it ({@code ok} means delivered). The check and hand-over of a sender's signals are
   * done in order; their confirmations may overlap.
   */
  public Future<Void> signal(SignalRequest request) {
    Promise<Void> delivered = Promise.promise();
    inTurn(request.from(), () -> checkAndHandOver(request, delivered)).onFailure(delivered::tryFail);
    return delivered.future();
  }

  private Future<Void> checkAndHandOver(SignalRequest request, Promise<Void> delivered) {
    String room = request.room();
    String sender = request.from();
    String target = request.to();
    // while the store is known to be down, do not queue every signal behind its timeout
    Future<Boolean> check = storeReachable ? store.areMembers(room, sender, target)
        : Future.failedFuture(new RoomRefusal(BusFailure.REGISTRY_UNAVAILABLE));
    return check
        .recover(failure -> {
          storeReachable = false;
          return confirmed.both(room, sender, target) ? Future.succeededFuture(true) : Future.failedFuture(failure);
        })
        .map(shared -> {
          if (!shared) {
            confirmed.forget(room, target);
            throw new RoomRefusal(UNKNOWN_PEER);
          }
          confirmed.confirm(room, sender, target);
          sink.deliver(target, request.delivery()).onComplete(done -> {
            if (done.failed()) {
              confirmed.forget(room, target);
            }
            delivered.handle(done);
          });
          return null;
        });
  }

  /** Runs {@code operation} once the peer's previous one completed, whatever its outcome. */
  private <T> Future<T> inTurn(String peerId, Supplier<Future<T>> operation) {
    Future<?> previous = lastOperationOf.get(peerId);
    Future<T> next = previous == null ? call(operation) : previous.transform(ignored -> call(operation));
    if (!next.isComplete()) {
      // only an asynchronous store needs the chain; the in-memory one answers at once
      lastOperationOf.put(peerId, next);
      next.onComplete(done -> lastOperationOf.remove(peerId, next));
    }
    return next;
  }

  private static <T> Future<T> call(Supplier<Future<T>> operation) {
    try {
      return operation.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Entries in the cache of confirmed members (bounded by this node's rooms). */
  public int confirmedEntries() {
    return confirmed.size();
  }

  /**
   * Called periodically: when the store answers again after failing, this node's members are written
   * back (joins are idempotent) and the departures it missed are recorded and announced.
   */
  public Future<Void> checkStore() {
    return store.areMembers("_health", "_", "_").transform(probe -> {
      boolean wasReachable = storeReachable;
      storeReachable = probe.succeeded();
      if (probe.failed() || wasReachable) {
        return Future.succeededFuture();
      }
      List<Future<?>> repairs = new ArrayList<>();
      localMembers.forEach((membership, member) ->
          repairs.add(store.join(membership.room(), member, Integer.MAX_VALUE)));
      for (Map.Entry<Membership, String> pending : List.copyOf(pendingLeaves.entrySet())) {
        Membership gone = pending.getKey();
        repairs.add(store.leave(gone.room(), gone.peerId()).onSuccess(result -> {
          pendingLeaves.remove(gone);
          String reason = pending.getValue();
          if (!result.roomEmptied() && (!reason.isEmpty() || result.removed())) {
            sink.publish(RoomEvent.left(gone.room(), gone.peerId(), reason.isEmpty() ? RoomEvent.LEFT_CLOSED : reason));
          }
        }));
      }
      for (Membership maybe : List.copyOf(uncertainJoins)) {
        repairs.add(store.leave(maybe.room(), maybe.peerId()).onSuccess(result -> {
          uncertainJoins.remove(maybe);
          // only a join that did land was seen by anyone (in a later join's peers)
          if (result.removed() && !result.roomEmptied()) {
            sink.publish(RoomEvent.left(maybe.room(), maybe.peerId(), RoomEvent.LEFT_CLOSED));
          }
        }));
      }
      return Future.join(repairs).mapEmpty();
    });
  }

  private <T> Future<T> unreachable(Throwable failure) {
    storeReachable = false;
    return Future.failedFuture(failure);
  }

  public Future<List<Member>> members(String room) {
    return store.members(room);
  }

  /** Removes a dead node's peers and announces each departure once. */
  public Future<Integer> reapNode(String nodeId) {
    return announceReaped(store.removeNode(nodeId));
  }

  /** {@link #reapNode} for a node found silent in the store: nothing happens if it heartbeated since. */
  public Future<Integer> reapSilentNode(String nodeId) {
    return announceReaped(store.removeSilentNode(nodeId));
  }

  private Future<Integer> announceReaped(Future<List<Membership>> removal) {
    return removal.map(removed -> {
      sink.reaped(removed);
      return removed.size();
    });
  }
}

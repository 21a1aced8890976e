package dev.switchboard.room;

import dev.switchboard.bus.JoinReply;
import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalRequest;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
  /** The last signal of each sender still in flight (entries disappear when it completes). */
  private final Map<String, Future<Void>> lastSignalOf = new ConcurrentHashMap<>();
  /** Members the store confirmed, per room, so signals keep flowing while the store is unreachable. */
  private final Map<String, Set<String>> confirmed = new ConcurrentHashMap<>();
  /** This node's members, re-asserted when the store comes back (it may have restarted empty). */
  private final Map<Membership, Member> localMembers = new ConcurrentHashMap<>();
  /** Departures the store did not record yet; announced once when it does. */
  private final Set<Membership> pendingLeaves = ConcurrentHashMap.newKeySet();
  /** Joins whose store call failed (e.g. timed out) but may have been applied late: removed on recovery. */
  private final Set<Membership> uncertainJoins = ConcurrentHashMap.newKeySet();
  private volatile boolean storeReachable = true;

  public RoomRegistry(RoomStore store, RoomEventSink sink, int maxPeers) {
    this.store = store;
    this.sink = sink;
    this.maxPeers = maxPeers;
  }

  public Future<JoinReply> join(JoinRequest request) {
    if (!RoomIds.isValid(request.room())) {
      return Future.failedFuture(new RoomRefusal(INVALID_ROOM));
    }
    Member member = new Member(request.peerId(), request.nodeId());
    Membership membership = new Membership(request.room(), request.peerId());
    return store.join(request.room(), member, maxPeers)
        .recover(failure -> {
          // a timed-out join may still be applied by the store: withdrawn once it answers again
          uncertainJoins.add(membership);
          return unreachable(failure);
        }).map(result -> {
      if (!result.admitted()) {
        throw new RoomRefusal(ROOM_FULL);
      }
      if (!result.alreadyMember()) {
        sink.publish(new RoomEvent(request.room(), RoomEvent.Kind.JOINED, request.peerId()));
      }
      uncertainJoins.remove(membership);
      localMembers.put(membership, member);
      return new JoinReply(result.present().stream().map(Member::peerId).toList());
    });
  }

  /**
   * Idempotent: only the call that actually removed the member announces {@code peer:left}. When the
   * store is unreachable the departure is kept and announced once the store records it.
   */
  public Future<Boolean> leave(LeaveRequest request) {
    Membership membership = new Membership(request.room(), request.peerId());
    localMembers.remove(membership);
    confirmed.computeIfPresent(request.room(), (room, peers) -> {
      peers.remove(request.peerId());
      return peers.isEmpty() ? null : peers;
    });
    return store.leave(request.room(), request.peerId()).map(result -> {
      // an emptied room has nobody left to tell
      if (result.removed() && !result.roomEmptied()) {
        sink.publish(new RoomEvent(request.room(), RoomEvent.Kind.LEFT, request.peerId()));
      }
      return result.removed();
    }).recover(failure -> {
      pendingLeaves.add(membership);
      return unreachable(failure);
    });
  }

  /**
   * Per sender→target order must survive an asynchronous store (Redis checks on pooled connections can
   * complete out of order), so each sender's signals are checked and delivered one after another.
   */
  public Future<Void> signal(SignalRequest request) {
    String sender = request.from();
    Future<Void> previous = lastSignalOf.get(sender);
    Future<Void> next = previous == null ? checkAndDeliver(request)
        : previous.transform(ignored -> checkAndDeliver(request));
    if (!next.isComplete()) {
      // only an asynchronous store needs the chain; the in-memory one answers at once
      lastSignalOf.put(sender, next);
      next.onComplete(done -> lastSignalOf.remove(sender, next));
    }
    return next;
  }

  private Future<Void> checkAndDeliver(SignalRequest request) {
    String sender = request.from();
    return store.areMembers(request.room(), sender, request.to())
        .recover(failure -> {
          storeReachable = false;
          Set<String> known = confirmed.get(request.room());
          return known != null && known.contains(sender) && known.contains(request.to())
              ? Future.succeededFuture(true) : Future.failedFuture(failure);
        })
        .map(shared -> {
          if (!shared) {
            throw new RoomRefusal(UNKNOWN_PEER);
          }
          Set<String> known = confirmed.computeIfAbsent(request.room(), room -> ConcurrentHashMap.newKeySet());
          known.add(sender);
          known.add(request.to());
          sink.deliver(request.to(), request.delivery());
          return null;
        });
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
      for (Membership gone : List.copyOf(pendingLeaves)) {
        repairs.add(store.leave(gone.room(), gone.peerId()).onSuccess(result -> {
          pendingLeaves.remove(gone);
          if (!result.roomEmptied()) {
            sink.publish(new RoomEvent(gone.room(), RoomEvent.Kind.LEFT, gone.peerId()));
          }
        }));
      }
      for (Membership maybe : List.copyOf(uncertainJoins)) {
        repairs.add(store.leave(maybe.room(), maybe.peerId()).onSuccess(result -> {
          uncertainJoins.remove(maybe);
          // only a join that did land was seen by anyone (in a later join's peers)
          if (result.removed() && !result.roomEmptied()) {
            sink.publish(new RoomEvent(maybe.room(), RoomEvent.Kind.LEFT, maybe.peerId()));
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
      removed.forEach(m -> sink.publish(new RoomEvent(m.room(), RoomEvent.Kind.LEFT, m.peerId())));
      return removed.size();
    });
  }
}

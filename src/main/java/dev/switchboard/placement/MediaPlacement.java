package dev.switchboard.placement;

import dev.switchboard.bus.BusFailure;
import io.vertx.core.Future;

import java.util.function.Predicate;

/**
 * Which node serves a room's media. A room's media lives on one node: the first media request of the room
 * claims it for the node that received it, and every later request, from any node, goes to that owner. An
 * owner that left the cluster is replaced by the node of the first surviving participant who asks again
 * (atomically: racing survivors end with one owner); its clients start fresh sessions there.
 * <p>
 * Plain class: the record is a {@link PlacementStore}, the cluster view a predicate; thread-safe as they are.
 */
public final class MediaPlacement {
  private final String self;
  private final boolean servesMedia;
  private final PlacementStore store;
  private final Predicate<String> alive;

  /**
   * @param self        this node's id
   * @param servesMedia this node runs a media node (it may own rooms); otherwise it only finds owners
   * @param alive       whether a node is in the cluster now (true while the view cannot tell)
   */
  public MediaPlacement(String self, boolean servesMedia, PlacementStore store, Predicate<String> alive) {
    this.self = self;
    this.servesMedia = servesMedia;
    this.store = store;
    this.alive = alive;
  }

  /** A node alone: it serves all its rooms' media itself (embedded mode). */
  public static MediaPlacement singleNode(String self) {
    return new MediaPlacement(self, true, PlacementStore.singleNode(), node -> true);
  }

  /**
   * The node that serves the room's media now, claimed for this node when the room has none or its owner
   * left the cluster. Fails with {@link PlacementUnavailable} when no live node can serve it.
   */
  public Future<String> ownerFor(String room) {
    if (!servesMedia) {
      return store.owner(room).compose(owner -> owner != null && alive.test(owner) ? Future.succeededFuture(owner)
          : Future.failedFuture(new PlacementUnavailable(room)));
    }
    return store.claim(room, self).compose(owner -> {
      if (owner.equals(self) || alive.test(owner)) {
        return Future.succeededFuture(owner);
      }
      return store.takeOver(room, owner, self).compose(now -> now.equals(self) || alive.test(now)
          ? Future.succeededFuture(now) : Future.failedFuture(new PlacementUnavailable(room)));
    });
  }

  /** No live node serves the room's media and this one cannot: the client's refusal is {@code media_unavailable}. */
  public static final class PlacementUnavailable extends RuntimeException {
    public PlacementUnavailable(String room) {
      super(BusFailure.MEDIA_UNAVAILABLE + ": no live media node for room " + room, null, false, false);
    }
  }
}

package dev.switchboard.placement;

import io.vertx.core.Future;

/**
 * Where the record "room → the node that serves its media" is kept (LiveKit's {@code room_node_map}). Every
 * operation is atomic: nodes racing on one room end with one owner.
 */
public interface PlacementStore {
  /** Records {@code node} as the room's media node unless one is recorded; completes with the recorded one. */
  Future<String> claim(String room, String node);

  /**
   * Replaces {@code lostOwner} by {@code node} if it is still the one recorded (or none is); completes with the
   * owner recorded afterwards, which is another node when a racing survivor took the room first.
   */
  Future<String> takeOver(String room, String lostOwner, String node);

  /** The recorded owner, or null. */
  Future<String> owner(String room);

  /** A single node (no cluster): every room's media is its own, nothing is recorded. */
  static PlacementStore singleNode() {
    return new PlacementStore() {
      @Override
      public Future<String> claim(String room, String node) {
        return Future.succeededFuture(node);
      }

      @Override
      public Future<String> takeOver(String room, String lostOwner, String node) {
        return Future.succeededFuture(node);
      }

      @Override
      public Future<String> owner(String room) {
        return Future.succeededFuture(null);
      }
    };
  }
}

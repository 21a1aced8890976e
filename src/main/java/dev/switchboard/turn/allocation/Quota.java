package dev.switchboard.turn.allocation;

/** Per-user counting for allocations and reservations; each call must be atomic on its own. */
public interface Quota {
  /** Counts one in; false, with nothing counted, when the user is at its quota. */
  boolean acquire(String username);

  void release(String username);

  /** No per-user limits: every acquire succeeds. */
  Quota NONE = new Quota() {
    @Override
    public boolean acquire(String username) {
      return true;
    }

    @Override
    public void release(String username) {
    }
  };
}

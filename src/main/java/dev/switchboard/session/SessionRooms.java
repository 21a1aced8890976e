package dev.switchboard.session;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rooms of one session: those it is a member of, those held across a lost socket that the current socket
 * has not joined again, and the nonce of the latest resume token issued per room (only that one is valid).
 */
public final class SessionRooms {
  private final Set<String> members = new LinkedHashSet<>();
  private final Set<String> held = new LinkedHashSet<>();
  private final Map<String, String> nonces = new HashMap<>();

  public void joined(String room) {
    members.add(room);
    held.remove(room);
  }

  /** Its socket is gone (or it was handed over) while it is still a member of {@code room}. */
  public void held(String room) {
    members.add(room);
    held.add(room);
  }

  public void left(String room) {
    members.remove(room);
    held.remove(room);
    nonces.remove(room);
  }

  public boolean holds(String room) {
    return held.contains(room);
  }

  public boolean anyHeld() {
    return !held.isEmpty();
  }

  public List<String> heldRooms() {
    return List.copyOf(held);
  }

  public List<String> memberships() {
    return List.copyOf(members);
  }

  public void issued(String room, String nonce) {
    nonces.put(room, nonce);
  }

  /** Whether {@code nonce} is that of the latest token of {@code room}; every token is valid once, so all go. */
  public boolean consume(String room, String nonce) {
    boolean latest = nonce != null && nonce.equals(nonces.get(room));
    if (latest) {
      nonces.clear();
    }
    return latest;
  }

  /** Everything moves away with the session. */
  public void clear() {
    members.clear();
    held.clear();
    nonces.clear();
  }
}

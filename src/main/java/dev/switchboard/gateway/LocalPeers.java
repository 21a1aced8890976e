package dev.switchboard.gateway;

import io.vertx.core.Context;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peer sessions of this node, by peer id, shared by every gateway instance: a signal to one of them is
 * written by the gateway directly (on the session's own event loop), without a bus message. A session is here
 * exactly while its bus address is registered, so a peer is reachable the same way from this node and from
 * the others.
 */
public final class LocalPeers {
  /** A session and the event loop that owns it (its socket is only touched there). */
  record Local(PeerSession session, Context context) {
  }

  private final Map<String, Local> sessions = new ConcurrentHashMap<>();

  void add(PeerSession session, Context context) {
    sessions.put(session.peerId(), new Local(session, context));
  }

  /** Only the entry of this session: a newer session of the same peer (a resume) keeps its own. */
  void remove(PeerSession session) {
    sessions.computeIfPresent(session.peerId(), (id, local) -> local.session() == session ? null : local);
  }

  Local get(String peerId) {
    return sessions.get(peerId);
  }

  public int size() {
    return sessions.size();
  }
}

package dev.switchboard.bus;

/** Every event-bus address Switchboard uses. Lower-case, dot-separated; nowhere else are they spelled. */
public final class Addresses {
  /** Node-local room registry API (local consumers: each node talks to its own registry). */
  public static final String ROOM_JOIN = "switchboard.rooms.join";
  public static final String ROOM_LEAVE = "switchboard.rooms.leave";
  public static final String ROOM_SIGNAL = "switchboard.rooms.signal";
  public static final String ROOM_MEMBERS = "switchboard.rooms.members";
  /** Node-local: a member's connection state, an admin's removal, or a session that moved away ({@code MemberUpdate}). */
  public static final String ROOM_UPDATE = "switchboard.rooms.update";
  /**
   * Node-local: remove a dead node's peers (each surviving node asks; Redis lets one of them win per peer).
   * {@code {node_id, only_if_silent}}: with {@code only_if_silent} nothing is removed if the node heartbeated since.
   */
  public static final String ROOM_REAP = "switchboard.rooms.reap";
  /**
   * Cluster-wide, published by the node that reaped a dead node's peers ({@code ReapedPeers}, in batches): each
   * node announces the departures to its own sockets through the rooms' events, delivered locally. One address
   * for the whole reap instead of a publish per room: a clustered publish to an address this node never sent to
   * first looks its subscribers up in Hazelcast (a blocking multimap read on the worker pool, one per room),
   * which, while the cluster is still cleaning up the dead member's subscriptions, delayed the room-mates'
   * {@code peer:left} of thousands of reaped peers by tens of seconds.
   */
  public static final String ROOM_REAPED = "switchboard.rooms.reaped";
  /** Node-local: ICE servers with fresh TURN credentials. */
  public static final String TURN_CREDENTIALS = "switchboard.turn.credentials";
  /** Node-local: whether the built-in relay listens (readiness). */
  public static final String TURN_STATUS = "switchboard.turn.status";
  /**
   * Cluster-wide, published: a peer's TURN credentials are revoked ({@code TurnRevocation}); every node's
   * relay refuses them and tears down their allocations, wherever the peer allocated.
   */
  public static final String TURN_REVOKE = "switchboard.turn.revoke";
  /**
   * Node-local, published: a cluster member left ({@code String} node id); gateways tell the peers whose media
   * that node served to renegotiate ({@code media:reset}), and the media node drops the participants whose
   * socket was there.
   */
  public static final String NODE_LOST = "switchboard.cluster.node-lost";

  /**
   * Header naming what a message to a peer's own address is, besides a signal ({@link SignalDelivery}, no
   * header): {@link #PEER_KICK} ({@code PeerKick}), {@link #PEER_RESUME} (a new socket takes the session
   * over), {@link #PEER_ICE} (fresh ICE servers for an HTTP caller of the same identity), {@link #PEER_MEDIA}
   * (an event from the media node, {@code MediaPush}).
   */
  public static final String PEER_OP = "op";
  public static final String PEER_KICK = "kick";
  public static final String PEER_RESUME = "resume";
  public static final String PEER_ICE = "ice";
  public static final String PEER_MEDIA = "media";

  private static final String PEER_PREFIX = "switchboard.peer.";
  private static final String ROOM_EVENTS_PREFIX = "switchboard.room.";
  private static final String MEDIA_NODE_PREFIX = "switchboard.media.node.";

  private Addresses() {
  }

  /** The connected peer's own address: targeted signals are sent here, from any node. */
  public static String peer(String peerId) {
    return PEER_PREFIX + peerId;
  }

  /**
   * Cluster-wide: the negotiation API of the media node on that cluster node ({@code MediaRequest} →
   * {@code MediaReply}); a room's requests go to the node that owns the room's media, from any gateway.
   */
  public static String mediaNode(String nodeId) {
    return MEDIA_NODE_PREFIX + nodeId;
  }

  /**
   * The family of an address, a closed set for metric tags: {@code peer}, {@code room} (events), {@code media}
   * (a media node's API) for the per-id addresses, {@code fixed} for the constant ones above, {@code other}
   * for anything else (Vert.x's own, e.g. reply addresses).
   */
  public static String family(String address) {
    if (address.startsWith(PEER_PREFIX)) {
      return "peer";
    }
    if (address.startsWith(ROOM_EVENTS_PREFIX)) {
      return "room";
    }
    if (address.startsWith(MEDIA_NODE_PREFIX)) {
      return "media";
    }
    return address.startsWith("switchboard.") ? "fixed" : "other";
  }

  /** Room events (joined/left) are published here; every gateway with a member in the room listens. */
  public static String roomEvents(String roomId) {
    return ROOM_EVENTS_PREFIX + roomId;
  }
}

package dev.switchboard.channel;

/** Why a joined channel ended. Every joined channel ends exactly once, with one of these. */
public enum ExitReason {
  LEAVE,
  SOCKET_CLOSED,
  DUPLICATE_JOIN,
  SHUTDOWN,
  /** The server closed the channel: the peer was replaced or removed from the room (not by this socket). */
  KICKED,
  /** The session was resumed by another socket: its membership goes with it, nothing is left or announced. */
  HANDED_OVER,
  CRASH
}

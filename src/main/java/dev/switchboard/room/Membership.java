package dev.switchboard.room;

/** One (room, peer) entry, as removed when a node is reaped. */
public record Membership(String room, String peerId) {
}

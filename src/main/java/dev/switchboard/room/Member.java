package dev.switchboard.room;

/** A peer in a room, with the node whose gateway holds its socket. */
public record Member(String peerId, String nodeId) {
}

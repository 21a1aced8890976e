package dev.switchboard.turn;

/** One TURN REST API credential: {@code username = "<expiry>:<peerId>:<identityTag>"}, {@code password = base64(HMAC-SHA1)}. */
public record TurnCredential(String username, String password, long ttlSeconds) {
}

package dev.switchboard.load;

import dev.switchboard.auth.AccessGrant;
import dev.switchboard.auth.AccessTokens;
import dev.switchboard.config.SwitchboardConfig.AuthConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The token each socket offers: none (open mode), one given token for all, or one minted per peer with
 * {@code --token-secret KID:SECRET} exactly as {@code switchboard.jar token} mints them, admitting to the
 * peer's room with a distinct identity (a verified identity already in a room would replace its peer).
 */
final class PeerTokens {
  private final String fixed;
  private final AccessTokens minter;
  private final String identityPrefix;
  private final Duration ttl;

  private PeerTokens(String fixed, AccessTokens minter, String identityPrefix, Duration ttl) {
    this.fixed = fixed;
    this.minter = minter;
    this.identityPrefix = identityPrefix;
    this.ttl = ttl;
  }

  /**
   * @throws dev.switchboard.config.ConfigException when the secret is unusable (under 32 bytes, bad key id)
   */
  static PeerTokens from(Vertx vertx, LoadOptions options) {
    // the longest a run may last, plus margin: tokens are checked again at every join
    Duration ttl = options.durationSeconds() == 0 ? Duration.ofDays(7) : Duration.ofSeconds(options.durationSeconds() + 3600L);
    if (options.tokenSecret() != null) {
      AccessTokens tokens = AccessTokens.from(vertx, new AuthConfig(AuthConfig.TOKEN, List.of(options.tokenSecret()), List.of()),
          Clock.systemUTC());
      return new PeerTokens(null, tokens, options.roomPrefix() + "-", ttl);
    }
    return new PeerTokens(options.token(), null, null, ttl);
  }

  /** The token for peer {@code index} joining {@code room}, or null for none. Not for event loops when minting. */
  String tokenFor(long index, String room) {
    if (minter == null) {
      return fixed;
    }
    AccessGrant grant = new AccessGrant(identityPrefix + index, "load " + index, new JsonObject(), true, room, true, true,
        true, false, 0, 0);
    return minter.issue(grant, ttl);
  }
}

package dev.switchboard.gateway;

import dev.switchboard.auth.AccessTokens;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.room.RegistryClient;
import io.vertx.core.eventbus.EventBus;

/**
 * What every peer session of one gateway instance shares.
 *
 * @param tokenMode joins need a verified access token whose grant covers the room
 */
record Signaling(String nodeId, RegistryClient registry, RoomBroadcasts broadcasts, IceServers iceServers,
                 SwitchboardMetrics metrics, EventBus bus, AccessTokens tokens, boolean tokenMode,
                 ConnectionLimits limits) {
}

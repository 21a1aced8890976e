package dev.switchboard.gateway;

import dev.switchboard.auth.AccessTokens;
import dev.switchboard.config.Topology;
import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.room.RegistryClient;
import dev.switchboard.session.ResumeTokens;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;

/**
 * What every peer session of one gateway instance shares.
 *
 * @param tokenMode joins need a verified access token whose grant covers the room
 * @param resumeMillis how long a session outlives a lost socket (protocol.md §7); 0: not at all
 * @param topology     how the media of this node's rooms flows: through the media node (media:*) or browser to browser
 */
record Signaling(String nodeId, RegistryClient registry, RoomBroadcasts broadcasts, IceServers iceServers,
                 SwitchboardMetrics metrics, EventBus bus, AccessTokens tokens, boolean tokenMode,
                 ConnectionLimits limits, Vertx vertx, ResumeTokens resumeTokens, long resumeMillis,
                 MediaClient media, Topology topology, LocalPeers localPeers, SignalRelay relay) {
  boolean resumeEnabled() {
    return resumeMillis > 0;
  }

}

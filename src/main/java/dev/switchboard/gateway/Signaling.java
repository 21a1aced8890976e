package dev.switchboard.gateway;

import dev.switchboard.metrics.SwitchboardMetrics;
import dev.switchboard.room.RegistryClient;

/** What every peer session of one gateway instance shares. */
record Signaling(String nodeId, RegistryClient registry, RoomBroadcasts broadcasts, IceServers iceServers,
                 SwitchboardMetrics metrics) {
}

package dev.switchboard.turn;

import java.net.InetAddress;

/** What the relay needs to know, resolved from configuration. */
public record TurnSettings(InetAddress listenIp, int port, InetAddress relayIp, InetAddress relayIpv6,
                           InetAddress externalIp, int minPort, int maxPort, String realm, int userQuota,
                           int identityQuota, int totalQuota, int maxPermissions, int maxChannels, long bandwidthBytesPerSecond,
                           long defaultLifetimeSeconds, long maxLifetimeSeconds, String software,
                           int threads, String io) {
}

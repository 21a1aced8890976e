package dev.switchboard.media.node;

import dev.switchboard.media.forward.PacketForwarder;
import dev.switchboard.media.forward.RoomMedia;
import dev.switchboard.media.forward.RtcpFeedback;

/** One room's forwarding state on the packet thread. */
record RoomPipeline(RoomMedia media, PacketForwarder forwarder, RtcpFeedback feedback) {
}

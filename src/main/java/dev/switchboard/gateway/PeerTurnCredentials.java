package dev.switchboard.gateway;

import dev.switchboard.bus.Addresses;
import dev.switchboard.bus.IceServersReply;
import dev.switchboard.bus.TurnRevocation;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * The TURN usernames handed to one peer, so that every relay of the cluster can refuse them, and tear their
 * allocations down, the moment the peer is no longer admitted anywhere (ended, replaced, removed).
 */
final class PeerTurnCredentials {
  private final String peerId;
  private final Signaling signaling;
  private final List<String> usernames = new ArrayList<>(2);

  PeerTurnCredentials(String peerId, Signaling signaling) {
    this.peerId = peerId;
    this.signaling = signaling;
  }

  /** Fresh ICE servers for the peer; the username is remembered for revocation. */
  Future<IceServersReply> issue(String identity) {
    return signaling.iceServers().forPeer(peerId, identity).map(reply -> {
      if (reply.username() != null && !usernames.contains(reply.username())) {
        usernames.add(reply.username());
      }
      return reply;
    });
  }

  /** Usernames of a session handed over from another socket: now this one's to revoke. */
  void adopt(List<String> handedOver) {
    handedOver.stream().filter(name -> !usernames.contains(name)).forEach(usernames::add);
  }

  /** The usernames moving with the session to another socket; none stay here to revoke. */
  List<String> handOver() {
    List<String> moving = List.copyOf(usernames);
    usernames.clear();
    return moving;
  }

  /** Every relay refuses them from now on; published once, on every node. */
  void revoke() {
    if (!usernames.isEmpty()) {
      signaling.bus().publish(Addresses.TURN_REVOKE, new TurnRevocation(peerId, List.copyOf(usernames)).toJson());
      usernames.clear();
    }
  }
}

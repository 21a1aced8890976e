package dev.switchboard.gateway;

import dev.switchboard.auth.AccessGrant;
import dev.switchboard.auth.AuthFailure;
import dev.switchboard.bus.BusFailure;
import dev.switchboard.bus.JoinRequest;
import dev.switchboard.bus.LeaveRequest;
import dev.switchboard.bus.MediaRequest;
import dev.switchboard.bus.MemberUpdate;
import dev.switchboard.bus.PeerProfile;
import dev.switchboard.bus.RoomEvent;
import dev.switchboard.bus.SignalRequest;
import dev.switchboard.channel.ChannelContext;
import dev.switchboard.channel.ChannelError;
import dev.switchboard.channel.ChannelHandler;
import dev.switchboard.channel.ExitReason;
import dev.switchboard.config.Topology;
import dev.switchboard.room.RoomIds;
import dev.switchboard.room.RoomRefusal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code room:<id>}: admission under the peer's grant, membership through the registry, signals to the other
 * members, and the room's own pushes ({@code ice:refresh}, {@code auth:refresh}, {@code admin:remove}).
 */
final class RoomChannel implements ChannelHandler {
  static final String PREFIX = "room:";
  static final String UNAUTHORIZED = "unauthorized";
  static final String PUBLISH_NOT_ALLOWED = "publish_not_allowed";
  static final String TOO_MANY_JOINS = "too_many_joins";
  /** A media:* event in a mesh room: there, browsers send their media to each other, never to a media node. */
  static final String MESH_ROOM = "mesh_room";
  private static final String SIGNAL_PREFIX = "signal:";
  private static final Logger LOG = Logger.getLogger(RoomChannel.class.getName());

  private final String room;
  private final PeerSession session;
  private final String peerId;
  private final ChannelContext context;
  private final Signaling signaling;
  private AccessGrant grant;
  /** From the join's reply until afterJoin pushes it as room:peers; then dropped (it lists the whole room). */
  private JsonObject peersAtJoin;
  /** The media node the peer negotiated with (null: none): its departure is that node's to know too. */
  private String mediaNode;
  private boolean terminated;

  RoomChannel(String room, PeerSession session, ChannelContext context, Signaling signaling) {
    this.room = room;
    this.session = session;
    this.peerId = session.peerId();
    this.context = context;
    this.signaling = signaling;
  }

  static String topic(String room) {
    return PREFIX + room;
  }

  @Override
  public Future<JsonObject> join(JsonObject params) {
    if (session.takeResumeRefusal()) {
      // the client asked for its old session and did not get it: it must know before it joins as someone new
      return Future.failedFuture(new ChannelError(PeerSession.RESUME_EXPIRED));
    }
    if (!RoomIds.isValid(room)) {
      return Future.failedFuture(new ChannelError("invalid_room"));
    }
    if (!signaling.limits().tryJoin(session.clientAddress())) {
      refused("join", TOO_MANY_JOINS);
      return Future.failedFuture(new ChannelError(TOO_MANY_JOINS));
    }
    grant = admissionGrant(params);
    if (grant == null) {
      return Future.failedFuture(new ChannelError(UNAUTHORIZED));
    }
    PeerProfile profile = new PeerProfile(grant.identity(), grant.name(), grant.metadata(), grant.verified(),
        grant.publish(), grant.subscribe(), grant.admin());
    RoomMembers members = signaling.broadcasts().members();
    members.joinStarted(room);
    boolean[] answered = {false};
    return signaling.broadcasts().subscribe(room, peerId, session.socket())
        .compose(v -> signaling.registry().join(new JoinRequest(room, peerId, signaling.nodeId(), profile)))
        .andThen(admission -> {
          // who was there when the registry admitted this peer: the room's events keep it current from here
          answered[0] = true;
          if (admission.succeeded()) {
            members.joinAdmitted(room, peerId, admission.result().peers());
          } else {
            members.joinFailed(room, peerId);
          }
        })
        .compose(reply -> session.iceServers(grant.identity()).map(ice -> {
          session.joined(room);
          peersAtJoin = new JsonObject().put("peers", new JsonArray(reply.peers())).put("members", reply.members());
          signaling.metrics().join("ok");
          signaling.metrics().peerJoined();
          return peersAtJoin.copy().put("peer_id", peerId).put("ice_servers", ice.iceServers())
              .put("member", profile.memberJson(peerId, true)).put("resume_token", session.resumeToken(room))
              .put("topology", signaling.topology().wireName());
        }))
        .recover(failure -> {
          if (!answered[0]) {
            members.joinFailed(room, peerId);
          } else {
            members.forget(room, peerId);
          }
          signaling.broadcasts().unsubscribe(room, peerId, session.socket());
          ChannelError error = asChannelError(failure);
          if (BusFailure.REGISTRY_UNAVAILABLE.equals(error.reason())) {
            undoJoin();
          }
          signaling.metrics().join(error.reason());
          return Future.failedFuture(error);
        });
  }

  /**
   * The grant this join is made under, or null when it is refused: in token mode the socket's verified
   * grant, unexpired and covering this room; in open mode that grant if the socket brought one, otherwise
   * the join params as an unverified profile.
   */
  private AccessGrant admissionGrant(JsonObject params) {
    AccessGrant socketGrant = session.grant();
    if (socketGrant == null) {
      if (signaling.tokenMode()) {
        refused("join", "no_token");
        return null;
      }
      return AccessGrant.open(params.getValue("identity") instanceof String s ? s : null,
          params.getValue("name") instanceof String s ? s : null,
          params.getValue("metadata") instanceof JsonObject m ? m : null);
    }
    // A held room is rejoined on the resume token alone: the access token may have expired meanwhile, but
    // only during that one window; resuming again and again never stretches a token past exp + the window.
    long now = System.currentTimeMillis() / 1000;
    boolean resumable = session.holds(room) && !socketGrant.expiredAt(now - signaling.resumeMillis() / 1000);
    if (socketGrant.expiredAt(now) && !resumable) {
      refused("join", "expired");
      return null;
    }
    if (!socketGrant.join() || !socketGrant.covers(room)) {
      refused("join", "grant_does_not_cover_room");
      return null;
    }
    return socketGrant;
  }

  private void refused(String where, String detail) {
    signaling.metrics().accessRefused(where, detail);
    LOG.info(() -> "refused " + where + " of peer " + peerId + " to room " + room + ": " + detail);
  }

  /**
   * The registry may have admitted the peer although its answer never came (a timeout, a stalled store):
   * an idempotent leave, queued behind that join in the registry, makes sure no ghost member stays behind.
   */
  private void undoJoin() {
    signaling.registry().leave(new LeaveRequest(room, peerId, RoomEvent.LEFT_CLOSED))
        .onFailure(e -> LOG.log(Level.WARNING, "undoing the failed join of " + peerId + " to " + room
            + " not recorded: " + e.getMessage()));
  }

  @Override
  public void afterJoin() {
    if (peersAtJoin != null) {
      context.push("room:peers", peersAtJoin);
      peersAtJoin = null;
    }
    // the topic is joined now: held signals go out before anything that waited in the join's mailbox
    session.flushHeld(room);
  }

  @Override
  public Future<JsonObject> handleIn(String event, JsonObject payload) {
    return switch (event) {
      case "ice:refresh" -> session.iceServers(grant.identity())
          .map(ice -> new JsonObject().put("ice_servers", ice.iceServers()).put("ttl", ice.ttlSeconds()));
      case "auth:refresh" -> refreshAuth(payload);
      case "admin:remove" -> removeMember(payload);
      case "media:offer" -> media(MediaRequest.Op.OFFER, payload);
      case "media:answer" -> media(MediaRequest.Op.ANSWER, payload);
      case "media:candidate" -> media(MediaRequest.Op.CANDIDATE, null);
      default -> signal(event, payload);
    };
  }

  private Future<JsonObject> signal(String event, JsonObject payload) {
    if (!event.startsWith(SIGNAL_PREFIX) || event.length() == SIGNAL_PREFIX.length()) {
      return Future.failedFuture(new ChannelError("unknown_event"));
    }
    if (!(payload.getValue("to") instanceof String to) || to.isEmpty()) {
      signaling.metrics().signalRefused("invalid_signal");
      return Future.failedFuture(new ChannelError("invalid_signal"));
    }
    String kind = event.substring(SIGNAL_PREFIX.length());
    if (!grant.publish() && SdpDirections.wouldSend(kind, payload.getValue("body"))) {
      refused("signal", PUBLISH_NOT_ALLOWED);
      return Future.failedFuture(new ChannelError(PUBLISH_NOT_ALLOWED));
    }
    long arrival = System.nanoTime();
    return signaling.relay().relay(session.lanes(), new SignalRequest(room, peerId, to, kind,
            payload.getValue("body"), grant.admin()))
        .<JsonObject>map(v -> {
          signaling.metrics().signalRelayed(kind, System.nanoTime() - arrival);
          return null;
        })
        .recover(failure -> {
          ChannelError error = asChannelError(failure);
          signaling.metrics().signalRefused(error.reason());
          return Future.failedFuture(error);
        });
  }

  /**
   * One negotiation step with the room's media node (protocol.md §8). An offer is answered in the reply; a
   * peer whose grant does not publish may only offer to receive.
   */
  private Future<JsonObject> media(MediaRequest.Op op, JsonObject payload) {
    if (signaling.topology() != Topology.SFU) {
      return Future.failedFuture(new ChannelError(MESH_ROOM));
    }
    String sdp = null;
    if (payload != null) {
      if (!(payload.getValue("sdp") instanceof String text) || text.isEmpty()) {
        return Future.failedFuture(new ChannelError("invalid_sdp"));
      }
      sdp = text;
      if (!grant.publish() && SdpDirections.wouldSend(op == MediaRequest.Op.OFFER ? "offer" : "answer", sdp)) {
        refused("media", PUBLISH_NOT_ALLOWED);
        return Future.failedFuture(new ChannelError(PUBLISH_NOT_ALLOWED));
      }
    }
    return signaling.media().request(new MediaRequest(room, peerId, signaling.nodeId(), op, sdp, grant.publish()),
            mediaNode)
        .map(answered -> {
          negotiatedWith(answered.node());
          String answer = answered.reply().sdp();
          return answer == null ? new JsonObject() : new JsonObject().put("sdp", answer);
        });
  }

  private void negotiatedWith(String node) {
    if (terminated) {
      // the socket went while the node answered: the node admitted a participant nobody will ever end
      signaling.media().leave(node, room, peerId, signaling.nodeId());
      return;
    }
    if (!node.equals(mediaNode)) {
      if (mediaNode != null) {
        // the room's media moved (a take-over): the session on the old node ends, whether or not it still runs
        signaling.media().detach(mediaNode, this);
        signaling.media().leave(mediaNode, room, peerId, signaling.nodeId());
      }
      mediaNode = node;
      signaling.media().attach(node, this);
    }
  }

  /**
   * The media node of the room left the cluster (protocol.md §8): the room's media moves to the node of the
   * first participant who offers again, so the client starts over with an offer (ICE restart, new node).
   */
  void mediaNodeLost(String node) {
    if (node.equals(mediaNode)) {
      // "lost" may be a node that is only paused or cut off: it must not keep a participant nobody will end
      signaling.media().leave(node, room, peerId, signaling.nodeId());
      mediaNode = null;
      context.push("media:reset", new JsonObject().put("reason", "media_node_lost"));
    }
  }

  /** A fresh token of the same identity replaces the socket's grant; a bad one changes nothing. */
  private Future<JsonObject> refreshAuth(JsonObject payload) {
    AccessGrant current = session.grant();
    if (!(payload.getValue("token") instanceof String token) || current == null) {
      refused("refresh", "no_token");
      return Future.failedFuture(new ChannelError(UNAUTHORIZED));
    }
    return signaling.tokens().verify(token).recover(failure -> {
      refused("refresh", failure instanceof AuthFailure auth ? auth.detail() : "invalid");
      return Future.failedFuture(new ChannelError(UNAUTHORIZED));
    }).compose(fresh -> {
      if (!fresh.sameIdentity(current)) {
        refused("refresh", "other_identity");
        return Future.failedFuture(new ChannelError(UNAUTHORIZED));
      }
      session.refreshGrant(fresh);
      return Future.succeededFuture(new JsonObject().put("exp", fresh.expiresAt()));
    });
  }

  private Future<JsonObject> removeMember(JsonObject payload) {
    if (!grant.admin()) {
      refused("admin", "not_admin");
      return Future.failedFuture(new ChannelError(UNAUTHORIZED));
    }
    if (!(payload.getValue("peer_id") instanceof String target) || target.equals(peerId)) {
      return Future.failedFuture(new ChannelError("invalid_peer"));
    }
    return signaling.registry().update(new MemberUpdate(room, target, MemberUpdate.Op.REMOVE))
        .recover(failure -> Future.failedFuture(asChannelError(failure)))
        .compose(removed -> {
          if (removed) {
            // its peer:left may still be on its way: no signal is relayed to it on the strength of older events
            signaling.broadcasts().members().forget(room, target);
          }
          return removed ? Future.succeededFuture(new JsonObject())
              : Future.failedFuture(new ChannelError(ChannelError.UNKNOWN_PEER));
        });
  }

  @Override
  public Future<Void> terminate(ExitReason reason) {
    signaling.metrics().peerLeft();
    signaling.broadcasts().unsubscribe(room, peerId, session.socket());
    terminated = true;
    if (mediaNode != null) {
      // a resumed session negotiates afresh with the node (an ICE restart), so its media ends with the socket
      signaling.media().detach(mediaNode, this);
      signaling.media().leave(mediaNode, room, peerId, signaling.nodeId());
    }
    if (reason == ExitReason.HANDED_OVER) {
      return Future.succeededFuture(); // the membership moved with the session
    }
    if (session.isHandedOver()) {
      // a join that was still in flight when another socket took the session over: the client joins that
      // room again there as the same peer, so this node only stops counting it (a leave would announce it gone)
      return signaling.registry().update(new MemberUpdate(room, peerId, MemberUpdate.Op.FORGET)).mapEmpty();
    }
    if (reason == ExitReason.SOCKET_CLOSED && session.holdsOnLoss()) {
      // held for a resume: the others see it disconnected, not gone
      session.held(room);
      return signaling.registry().update(new MemberUpdate(room, peerId, MemberUpdate.Op.DISCONNECTED))
          .onFailure(e -> LOG.log(Level.WARNING, "disconnect of " + peerId + " from " + room + " not recorded: "
              + e.getMessage()))
          .mapEmpty();
    }
    session.left(room);
    if (reason == ExitReason.KICKED) {
      return Future.succeededFuture(); // the registry removed it already and told the room why
    }
    String why = reason == ExitReason.LEAVE ? RoomEvent.LEFT_VOLUNTARILY : RoomEvent.LEFT_CLOSED;
    return signaling.registry().leave(new LeaveRequest(room, peerId, why))
        .onFailure(e -> LOG.log(Level.WARNING, "leave of " + peerId + " from " + room + " (" + reason
            + ") not recorded: " + e.getMessage()))
        .mapEmpty();
  }

  private static ChannelError asChannelError(Throwable failure) {
    if (failure instanceof ChannelError error) {
      return error;
    }
    return new ChannelError(failure instanceof RoomRefusal refusal ? refusal.reason() : "registry_unavailable");
  }
}

package dev.switchboard.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One load socket speaking Phoenix Channels V2: connect, join {@code room:<room>} (the reply carries the
 * peer id), join {@code peer:<id>}, then heartbeats and signals. All of its state is touched on its lane's
 * event loop only, so it needs no lock; it is kept small because a run holds tens of thousands.
 */
final class LoadPeer {
  /** What a scenario hears from a peer, on the peer's event loop. */
  interface Listener {
    /** A {@code signal:*} delivery; {@code body} is the numeric body the load senders use, or -1. */
    default void onSignal(LoadPeer peer, String from, long body) {
    }

    /** The reply to a push of ours with a numeric ref (signals). */
    default void onReply(LoadPeer peer, long ref, boolean ok, String reason) {
    }
  }

  static final Listener QUIET = new Listener() {
  };
  private static final String ROOM_JOIN_REF = "1";
  private static final String PEER_JOIN_REF = "2";
  private static final String LEAVE_REF = "3";

  final long index;
  final Lane lane;
  final String room;
  private final LoadStats stats;
  /** Set from the main thread when a scenario starts, read on the lane: hence volatile. */
  volatile Listener listener = QUIET;
  /** Connects to --span-url instead of --url (set before it enters). */
  boolean spanned;
  private WebSocket ws;
  private String id;
  private long nextRef = 10;
  private long heartbeatSentAt;
  private boolean closing;
  private boolean joined;
  private Promise<LoadPeer> entering;
  private Promise<Void> leaving;

  LoadPeer(long index, Lane lane, String room, LoadStats stats) {
    this.index = index;
    this.lane = lane;
    this.room = room;
    this.stats = stats;
  }

  String id() {
    return id;
  }

  boolean joined() {
    return joined;
  }

  /** Connects and joins room and peer topic; completes once both joins are answered ok. On the lane's loop. */
  Future<LoadPeer> enter(WebSocketClient client, WebSocketConnectOptions options) {
    Promise<LoadPeer> promise = Promise.promise();
    entering = promise;
    client.connect(options).onComplete(connected -> {
      if (connected.failed()) {
        stats.error(connectFailure(connected.cause()));
        promise.tryFail(connected.cause());
        return;
      }
      ws = connected.result();
      stats.connected.increment();
      stats.open.increment();
      ws.textMessageHandler(this::onText);
      ws.exceptionHandler(e -> {
        // the close handler follows and counts the loss; an exception alone is not a second error
      });
      ws.closeHandler(v -> onClose());
      send("[\"1\",\"1\",\"room:" + room + "\",\"phx_join\",{}]");
    });
    return promise.future();
  }

  void heartbeat() {
    if (ws == null || closing) {
      return;
    }
    if (heartbeatSentAt != 0) {
      // the previous heartbeat was never answered within an interval: the server is stalled or lost it
      stats.error("heartbeat_unanswered");
    }
    heartbeatSentAt = System.nanoTime();
    stats.heartbeats.increment();
    send("[null,\"" + nextRef++ + "\",\"phoenix\",\"heartbeat\",{}]");
  }

  /** Pushes {@code signal:<kind>} to {@code to} with a numeric body; returns its ref. */
  long signal(String to, String kind, long body) {
    long ref = nextRef++;
    send("[\"1\",\"" + ref + "\",\"room:" + room + "\",\"signal:" + kind + "\",{\"to\":\"" + to + "\",\"body\":" + body + "}]");
    return ref;
  }

  /** Leaves the room (phx_leave); completes on its reply. */
  Future<Void> leave() {
    leaving = Promise.promise();
    send("[\"1\",\"3\",\"room:" + room + "\",\"phx_leave\",{}]");
    return leaving.future();
  }

  Future<Void> close() {
    closing = true;
    if (ws == null || ws.isClosed()) {
      return Future.succeededFuture();
    }
    return ws.close();
  }

  private void send(String frame) {
    stats.framesSent.increment();
    ws.writeTextMessage(frame);
  }

  private void onText(String text) {
    stats.framesReceived.increment();
    JsonArray frame;
    try {
      frame = new JsonArray(text);
    } catch (DecodeException e) {
      stats.error("malformed_frame_from_server");
      return;
    }
    String event = frame.getString(3);
    if ("phx_reply".equals(event)) {
      onReply(frame);
    } else if (event != null && event.startsWith("signal:")) {
      JsonObject payload = frame.getJsonObject(4);
      Object body = payload.getValue("body");
      listener.onSignal(this, payload.getString("from"), body instanceof Number n ? n.longValue() : -1);
    } else if ("peer:left".equals(event)) {
      stats.peerLeft.increment();
      stats.lastPeerLeftMillis.accumulate(System.currentTimeMillis());
      JsonObject left = frame.getJsonObject(4);
      if (left != null && "node_lost".equals(left.getString("reason"))) {
        stats.peerLeftNodeLost.increment();
        stats.lastNodeLostMillis.accumulate(System.currentTimeMillis());
      }
    } else if ("phx_error".equals(event)) {
      stats.error("phx_error");
    }
  }

  private void onReply(JsonArray frame) {
    String ref = frame.getString(1);
    JsonObject payload = frame.getJsonObject(4);
    boolean ok = "ok".equals(payload.getString("status"));
    JsonObject response = payload.getJsonObject("response");
    String reason = ok || response == null ? null : String.valueOf(response.getValue("reason"));
    if ("phoenix".equals(frame.getString(2))) {
      if (heartbeatSentAt != 0) {
        long rtt = System.nanoTime() - heartbeatSentAt;
        stats.heartbeatRtt.recordNanos(rtt);
        stats.heartbeatWindow.recordNanos(rtt);
        if (stats.heartbeatHeadline) {
          stats.progressLatency.recordNanos(rtt);
        }
        heartbeatSentAt = 0;
      }
      return;
    }
    switch (ref) {
      case ROOM_JOIN_REF -> {
        if (!ok) {
          refuseEntry("join_refused: " + reason);
          return;
        }
        id = response.getString("peer_id");
        send("[\"2\",\"2\",\"peer:" + id + "\",\"phx_join\",{}]");
      }
      case PEER_JOIN_REF -> {
        if (!ok) {
          refuseEntry("peer_join_refused: " + reason);
          return;
        }
        joined = true;
        stats.joined.increment();
        entering.tryComplete(this);
        // tens of thousands of peers: nothing kept that the rest of the run does not need
        entering = null;
      }
      case LEAVE_REF -> {
        if (ok) {
          joined = false;
          leaving.tryComplete();
        } else {
          stats.error("leave_refused: " + reason);
          leaving.tryFail(reason);
        }
      }
      default -> listener.onReply(this, parseRef(ref), ok, reason);
    }
  }

  private void refuseEntry(String reason) {
    stats.error(reason);
    if (entering != null) {
      entering.tryFail(reason);
    }
    close();
  }

  private void onClose() {
    stats.open.decrement();
    stats.closed.increment();
    joined = false;
    if (!closing) {
      Short code = ws.closeStatusCode();
      stats.error("closed_by_server: " + (code == null ? "no close frame" : code + " " + ws.closeReason()));
    }
    if (entering != null) {
      entering.tryFail("closed before joining");
    }
    if (leaving != null) {
      leaving.tryFail("closed before the leave was answered");
    }
  }

  private static long parseRef(String ref) {
    try {
      return ref == null ? -1 : Long.parseLong(ref);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A short, countable reason: the HTTP status of a refused upgrade, else the cause's message. */
  static String connectFailure(Throwable cause) {
    if (cause instanceof UpgradeRejectedException rejected) {
      String body = rejected.getBody() == null ? "" : " " + rejected.getBody().toString().trim();
      return "connect_refused: HTTP " + rejected.getStatus() + (body.length() > 60 ? body.substring(0, 60) : body);
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    // the address of a refused connection varies per socket; keep the reason countable
    message = message.replaceAll("/?\\d+\\.\\d+\\.\\d+\\.\\d+(:\\d+)?", "<addr>");
    return "connect_failed: " + (message.length() > 80 ? message.substring(0, 80) : message);
  }
}

package dev.switchboard.soak;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Phoenix V2 socket over a raw WebSocket: refs, replies (each push resolves exactly once: the reply,
 * {@code no_reply} after 10 s as phoenix.js times out, or {@code socket_closed}), joins and incoming frames.
 */
final class Conn {
  static final long REPLY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** Frames other than replies: channel pushes, broadcasts, signals, phx_close, phx_error. */
  interface Listener {
    void onFrame(Conn conn, String topic, String event, JsonObject payload);
  }

  /** An error reply's reason, or what kept the reply from coming. */
  static final class Refusal extends RuntimeException {
    Refusal(String reason) {
      super(reason, null, false, false);
    }

    String reason() {
      return getMessage();
    }
  }

  private record Pending(Promise<JsonObject> promise, long sentAt, String event) {
  }

  final int port;
  private final Env env;
  private final Listener listener;
  private final AtomicLong refs = new AtomicLong();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, String> joinRefs = new ConcurrentHashMap<>();
  private final Promise<Void> closed = Promise.promise();
  private WebSocket ws;
  private volatile boolean open = true;
  Context context;
  volatile String peerId;

  private Conn(Env env, int port, Listener listener) {
    this.env = env;
    this.port = port;
    this.listener = listener;
  }

  /** Opens a socket to the node at {@code port}; fails with {@code connect_failed}. */
  static Future<Conn> open(Env env, int port, Listener listener) {
    Conn conn = new Conn(env, port, listener);
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/socket/websocket?vsn=2.0.0").setTimeout(10_000);
    return env.client.connect(options).recover(e -> Future.failedFuture(new Refusal("connect_failed"))).map(ws -> {
      conn.ws = ws;
      conn.context = Vertx.currentContext();
      env.opened(conn);
      ws.textMessageHandler(conn::onText);
      ws.exceptionHandler(e -> { });
      ws.closeHandler(v -> conn.onClosed());
      return conn;
    });
  }

  boolean isOpen() {
    return open;
  }

  Future<Void> closed() {
    return closed.future();
  }

  void close() {
    if (isOpen()) {
      ws.close();
    }
  }

  /** Joins {@code topic}; the reply's response on ok, a {@link Refusal} with the reason otherwise. */
  Future<JsonObject> join(String topic, JsonObject params) {
    String ref = String.valueOf(refs.incrementAndGet());
    joinRefs.put(topic, ref);
    return send(ref, ref, topic, "phx_join", params);
  }

  Future<JsonObject> leave(String topic) {
    return push(topic, "phx_leave", new JsonObject());
  }

  /** A push on a joined topic. */
  Future<JsonObject> push(String topic, String event, JsonObject payload) {
    return send(joinRefs.get(topic), String.valueOf(refs.incrementAndGet()), topic, event, payload);
  }

  Future<JsonObject> heartbeat() {
    return send(null, String.valueOf(refs.incrementAndGet()), "phoenix", "heartbeat", new JsonObject());
  }

  private Future<JsonObject> send(String joinRef, String ref, String topic, String event, JsonObject payload) {
    if (!isOpen()) {
      return Future.failedFuture(new Refusal("socket_closed"));
    }
    Promise<JsonObject> reply = Promise.promise();
    pending.put(ref, new Pending(reply, System.nanoTime(), event));
    ws.writeTextMessage(new JsonArray().add(joinRef).add(ref).add(topic).add(event).add(payload).encode());
    if (!isOpen() && pending.remove(ref) != null) {
      reply.tryFail(new Refusal("socket_closed"));
    }
    return reply.future();
  }

  private void onText(String text) {
    JsonArray frame;
    try {
      frame = new JsonArray(text);
    } catch (RuntimeException e) {
      env.tally.inc("protocol.unparsable_frame");
      return;
    }
    String ref = frame.getString(1);
    String event = frame.getString(3);
    JsonObject payload = frame.getJsonObject(4);
    if ("phx_reply".equals(event) && ref != null) {
      Pending waiting = pending.remove(ref);
      if (waiting == null) {
        env.tally.inc("protocol.reply_after_timeout");
        return;
      }
      if ("ok".equals(payload.getString("status"))) {
        waiting.promise.tryComplete(payload.getJsonObject("response", new JsonObject()));
      } else {
        JsonObject response = payload.getJsonObject("response", new JsonObject());
        waiting.promise.tryFail(new Refusal(String.valueOf(response.getValue("reason", payload.getValue("status")))));
      }
      return;
    }
    listener.onFrame(this, frame.getString(2), event, payload);
  }

  /** Pushes unanswered for 10 s fail with {@code no_reply} (called every second by {@link Env}). */
  void expire(long now) {
    pending.forEach((ref, waiting) -> {
      if (now - waiting.sentAt > REPLY_TIMEOUT_NANOS && pending.remove(ref, waiting)) {
        env.tally.inc("protocol.no_reply." + (waiting.event.startsWith("signal:") ? "signal" : waiting.event));
        waiting.promise.tryFail(new Refusal("no_reply"));
      }
    });
  }

  private void onClosed() {
    open = false;
    env.closed(this);
    for (String ref : List.copyOf(pending.keySet())) {
      Pending waiting = pending.remove(ref);
      if (waiting != null) {
        waiting.promise.tryFail(new Refusal("socket_closed"));
      }
    }
    closed.tryComplete();
  }
}

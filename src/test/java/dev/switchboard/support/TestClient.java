package dev.switchboard.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A raw Phoenix V2 client for specs: sends frames as written in protocol.md and waits for frames with
 * timeouts, so a test reads as the wire exchange it checks.
 *
 * <p>Received frames go to a queue that {@link #next}, {@link #await} and {@link #expectSilence} consume
 * (frames {@code await} skips are gone from the queue), and also to an append-only {@link #history()} that
 * nothing consumes: "exactly once" is asserted with {@link #count} or {@link #history(Predicate)} over every
 * frame the client ever received, not only those after the last awaited one.
 */
public final class TestClient implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final WebSocketClient client;
  private final LinkedBlockingQueue<JsonArray> frames = new LinkedBlockingQueue<>();
  /** Every frame received, in arrival order; guarded by itself. */
  private final List<JsonArray> history = new ArrayList<>();
  private final LinkedBlockingQueue<Short> closes = new LinkedBlockingQueue<>();
  private final Map<String, String> joinRefs = new ConcurrentHashMap<>();
  private final AtomicInteger refs = new AtomicInteger();
  private WebSocket ws;
  private String peerId;

  private TestClient(WebSocketClient client) {
    this.client = client;
  }

  public static TestClient connect(Vertx vertx, int port, String uri, Map<String, String> headers) {
    return connect(vertx, new WebSocketClientOptions(), "127.0.0.1", port, uri, headers);
  }

  /** Through TLS (Caddy's internal CA is not trusted here, so any certificate is accepted). */
  public static TestClient connectSecure(Vertx vertx, int port, String uri) {
    return connect(vertx, new WebSocketClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false),
        "localhost", port, uri, Map.of());
  }

  private static TestClient connect(Vertx vertx, WebSocketClientOptions clientOptions, String host, int port,
                                    String uri, Map<String, String> headers) {
    WebSocketClient client = vertx.createWebSocketClient(clientOptions.setMaxConnections(10_000)
        .setMaxFrameSize(16 * 1024 * 1024).setMaxMessageSize(16 * 1024 * 1024));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port).setURI(uri)
        .setSsl(clientOptions.isSsl());
    headers.forEach((name, value) -> {
      if (name.equalsIgnoreCase("Sec-WebSocket-Protocol")) {
        for (String protocol : value.split(",")) {
          options.addSubProtocol(protocol.trim());
        }
      } else {
        options.addHeader(name, value);
      }
    });
    TestClient testClient = new TestClient(client);
    // handlers are set on the event loop, before any frame can be read
    testClient.ws = Wait.on(client.connect(options).map(socket -> {
      socket.textMessageHandler(text -> testClient.received(new JsonArray(text)));
      socket.closeHandler(v -> testClient.closes.add(
          socket.closeStatusCode() == null ? (short) 1006 : socket.closeStatusCode()));
      return socket;
    }), 10);
    return testClient;
  }

  /** Into the history first, so any frame a test has taken from the queue is already in the history. */
  private void received(JsonArray frame) {
    synchronized (history) {
      history.add(frame);
    }
    frames.add(frame);
  }

  /** Matches a frame by topic and event. */
  public static Predicate<JsonArray> event(String topic, String event) {
    return f -> topic.equals(f.getString(2)) && event.equals(f.getString(3));
  }

  /** Matches a frame by event, on any topic. */
  public static Predicate<JsonArray> event(String event) {
    return f -> event.equals(f.getString(3));
  }

  /** Every frame received so far, in arrival order, whether or not next/await consumed it (a snapshot). */
  public List<JsonArray> history() {
    synchronized (history) {
      return List.copyOf(history);
    }
  }

  /** The frames received so far that match, in arrival order. */
  public List<JsonArray> history(Predicate<JsonArray> match) {
    synchronized (history) {
      return history.stream().filter(match).toList();
    }
  }

  /** How many frames received so far match. */
  public int count(Predicate<JsonArray> match) {
    return history(match).size();
  }

  /** Asserts that exactly one frame ever received matches, and returns it. */
  public JsonArray assertOnce(Predicate<JsonArray> match, String what) {
    List<JsonArray> matching = history(match);
    assertEquals(1, matching.size(), () -> "expected " + what + " exactly once, got " + matching);
    return matching.get(0);
  }

  public String nextRef() {
    return String.valueOf(refs.incrementAndGet());
  }

  public void sendText(String text) {
    Wait.on(ws.writeTextMessage(text), 5);
  }

  public void sendBinary(byte[] data) {
    Wait.on(ws.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(data)), 5);
  }

  /** Fire-and-forget, for load: frames are queued in order on the connection. */
  public void sendAsync(String text) {
    ws.writeTextMessage(text);
  }

  public String subProtocol() {
    return ws.subProtocol();
  }

  public void send(String joinRef, String ref, String topic, String event, JsonObject payload) {
    sendText(new JsonArray().add(joinRef).add(ref).add(topic).add(event).add(payload).encode());
  }

  /** Next frame, whatever it is. */
  public JsonArray next() {
    return next(WAIT);
  }

  public JsonArray next(Duration wait) {
    try {
      JsonArray frame = frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(frame, "no frame within " + wait);
      return frame;
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Next frame, or null when none arrives within {@code wait}. */
  public JsonArray poll(Duration wait) {
    try {
      return frames.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Next frame matching, skipping others; fails on timeout. */
  public JsonArray await(Predicate<JsonArray> match, String what) {
    return await(match, what, WAIT);
  }

  public JsonArray await(Predicate<JsonArray> match, String what, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    List<JsonArray> skipped = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      try {
        JsonArray frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (frame != null && match.test(frame)) {
          return frame;
        }
        if (frame != null) {
          skipped.add(frame);
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    return fail("expected " + what + ", got " + skipped);
  }

  public JsonArray awaitEvent(String topic, String event) {
    return await(event(topic, event), event + " on " + topic);
  }

  /** Asserts nothing arrives for a while (or nothing matching). */
  public void expectSilence(Duration wait, Predicate<JsonArray> match) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        JsonArray frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (frame != null && match.test(frame)) {
          fail("unexpected frame " + frame);
        }
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  public void expectSilence(Duration wait) {
    expectSilence(wait, f -> true);
  }

  /** Sends a push and returns its reply payload {status, response}. */
  public JsonObject push(String joinRef, String topic, String event, JsonObject payload) {
    String ref = nextRef();
    send(joinRef, ref, topic, event, payload);
    JsonArray reply = await(f -> "phx_reply".equals(f.getString(3)) && ref.equals(f.getString(1)),
        "reply to ref " + ref);
    return reply.getJsonObject(4);
  }

  /** Sends phx_join and returns the reply payload {status, response}; remembers the join_ref. */
  public JsonObject join(String topic, JsonObject params) {
    String ref = nextRef();
    send(ref, ref, topic, "phx_join", params);
    JsonArray reply = await(f -> "phx_reply".equals(f.getString(3)) && ref.equals(f.getString(1)), "join reply");
    joinRefs.put(topic, ref);
    return reply.getJsonObject(4);
  }

  public String joinRef(String topic) {
    return joinRefs.get(topic);
  }

  /** Joins room:<room> and peer:<own id>; returns the room join response. */
  public JsonObject enter(String room) {
    String ref = nextRef();
    send(ref, ref, "room:" + room, "phx_join", new JsonObject());
    JsonArray reply = await(f -> "phx_reply".equals(f.getString(3)) && ref.equals(f.getString(1)), "join reply");
    assertEquals("ok", reply.getJsonObject(4).getString("status"), () -> "join refused: " + reply);
    JsonObject response = reply.getJsonObject(4).getJsonObject("response");
    peerId = response.getString("peer_id");
    joinRefs.put("room:" + room, ref);
    awaitEvent("room:" + room, "room:peers");
    String peerRef = nextRef();
    send(peerRef, peerRef, "peer:" + peerId, "phx_join", new JsonObject());
    JsonArray peerReply = await(f -> "phx_reply".equals(f.getString(3)) && peerRef.equals(f.getString(1)), "peer join");
    assertEquals("ok", peerReply.getJsonObject(4).getString("status"));
    joinRefs.put("peer:" + peerId, peerRef);
    return response;
  }

  public String peerId() {
    return peerId;
  }

  /** The close code, waiting for the server to close. */
  public short awaitClose(Duration wait) {
    try {
      Short code = closes.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(code, "socket not closed within " + wait);
      return code;
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  public boolean isClosed() {
    return ws.isClosed();
  }

  public void drop() {
    Wait.on(ws.close(), 5);
  }

  @Override
  public void close() {
    if (!ws.isClosed()) {
      ws.close();
    }
    client.close();
  }
}

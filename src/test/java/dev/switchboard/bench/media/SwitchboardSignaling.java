package dev.switchboard.bench.media;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One participant's socket to a Switchboard node in another process (Phoenix V2 frames over the JDK's WebSocket):
 * joins {@code room:<id>} and its own {@code peer:} topic, pushes its offer ({@code media:offer}, protocol.md §8)
 * and answers every offer the node makes ({@code media:offer} events) with what {@code answerer} returns, one
 * after the other as the node sends them. Heartbeats as phoenix.js does. Thread-safe.
 */
public final class SwitchboardSignaling implements AutoCloseable {
  private final HttpClient http = HttpClient.newHttpClient();
  private final Map<String, CompletableFuture<JsonObject>> replies = new ConcurrentHashMap<>();
  private final AtomicLong refs = new AtomicLong();
  private final AtomicLong nodeOffers = new AtomicLong();
  private final AtomicLong failedAnswers = new AtomicLong();
  private final String topic;
  private final WebSocket socket;
  private final Thread heartbeat;
  private volatile Function<String, String> answerer = offer -> {
    throw new IllegalStateException("a node offer before ours was answered");
  };
  private volatile String roomJoinRef;
  private volatile boolean closed;

  public SwitchboardSignaling(int httpPort, String room) throws IOException {
    this.topic = "room:" + room;
    socket = await(http.newWebSocketBuilder().buildAsync(
        URI.create("ws://127.0.0.1:" + httpPort + "/socket/websocket?vsn=2.0.0"), new Listener()), "connect");
    String ref = nextRef();
    JsonObject joined = await(push(ref, ref, topic, "phx_join", new JsonObject()), "join " + topic);
    roomJoinRef = ref;
    String peerId = ok(joined, "join").getString("peer_id");
    String peerRef = nextRef();
    ok(await(push(peerRef, peerRef, "peer:" + peerId, "phx_join", new JsonObject()), "peer join"), "peer join");
    heartbeat = new Thread(this::heartbeats, "heartbeat-" + peerId);
    heartbeat.setDaemon(true);
    heartbeat.start();
  }

  /** Sends our offer, answers the node's offers from now on with {@code answerer}; the node's answer SDP. */
  public String offer(String sdp, Function<String, String> answerer) throws IOException {
    this.answerer = answerer;
    JsonObject reply = await(push(roomJoinRef, nextRef(), topic, "media:offer", new JsonObject().put("sdp", sdp)),
        "media:offer");
    return ok(reply, "media:offer").getString("sdp");
  }

  /** Offers the node has made to us (each answered). */
  public long nodeOffers() {
    return nodeOffers.get();
  }

  /** Answers of ours the node refused. */
  public long failedAnswers() {
    return failedAnswers.get();
  }

  @Override
  public void close() {
    closed = true;
    heartbeat.interrupt();
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bench done");
  }

  private void onFrame(JsonArray frame) {
    String event = frame.getString(3);
    if ("phx_reply".equals(event)) {
      CompletableFuture<JsonObject> waiting = replies.remove(frame.getString(1));
      if (waiting != null) {
        waiting.complete(frame.getJsonObject(4));
      }
    } else if ("media:offer".equals(event) && topic.equals(frame.getString(2))) {
      nodeOffers.incrementAndGet();
      String answer = answerer.apply(frame.getJsonObject(4).getString("sdp"));
      push(roomJoinRef, nextRef(), topic, "media:answer", new JsonObject().put("sdp", answer))
          .thenAccept(reply -> {
            if (!"ok".equals(reply.getString("status"))) {
              failedAnswers.incrementAndGet();
              System.err.println("node refused an answer: " + reply.encode());
            }
          });
    }
  }

  private CompletableFuture<JsonObject> push(String joinRef, String ref, String topic, String event, JsonObject payload) {
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    replies.put(ref, reply);
    String frame = new JsonArray().add(joinRef).add(ref).add(topic).add(event).add(payload).encode();
    synchronized (this) { // the JDK WebSocket allows one outstanding send at a time
      socket.sendText(frame, true).join();
    }
    return reply;
  }

  private void heartbeats() {
    while (!closed) {
      try {
        Thread.sleep(20_000);
        push(null, nextRef(), "phoenix", "heartbeat", new JsonObject());
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        return; // the socket closed
      }
    }
  }

  private String nextRef() {
    return Long.toString(refs.incrementAndGet());
  }

  private static JsonObject ok(JsonObject reply, String what) throws IOException {
    if (!"ok".equals(reply.getString("status"))) {
      throw new IOException(what + " refused: " + reply.encode());
    }
    return reply.getJsonObject("response", new JsonObject());
  }

  private static <T> T await(CompletableFuture<T> future, String what) throws IOException {
    try {
      return future.get(15, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IOException("no answer to " + what + " in 15 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IOException(what + " failed: " + e.getCause(), e.getCause());
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          onFrame(new JsonArray(text));
        } catch (RuntimeException e) {
          System.err.println("bad frame or handler failure: " + e + " on " + text.substring(0, Math.min(200, text.length())));
        }
      }
      webSocket.request(1);
      return null;
    }
  }
}

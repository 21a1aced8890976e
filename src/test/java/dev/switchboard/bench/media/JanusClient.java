package dev.switchboard.bench.media;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.json.JsonObject;

/**
 * One Janus session over its plain HTTP API: requests are POSTs to the session or a handle, and asynchronous
 * plugin events come back through a long poll (GET on the session) that a daemon thread keeps open, handing
 * each event to the request that carries its transaction. Thread-safe.
 */
public final class JanusClient implements AutoCloseable {
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final long session;
  private final AtomicLong transactions = new AtomicLong();
  private final Map<String, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
  private final Thread poller;
  private volatile boolean closed;

  public JanusClient(URI base) throws IOException {
    this.base = base;
    this.session = JanusMessages.id(post("", JanusMessages.createSession(nextTransaction())));
    this.poller = new Thread(this::poll, "janus-poll-" + session);
    poller.setDaemon(true);
    poller.start();
  }

  /** A new handle on the VideoRoom plugin: one per PeerConnection. */
  public long attach() throws IOException {
    return JanusMessages.id(post("/" + session, JanusMessages.attach(nextTransaction(), JanusMessages.VIDEOROOM)));
  }

  /** A request the plugin answers at once (e.g. create): its plugin data. */
  public JsonObject request(long handle, JsonObject body) throws IOException {
    return JanusMessages.pluginData(post("/" + session + "/" + handle,
        JanusMessages.message(nextTransaction(), body, null, null)));
  }

  /** A request the plugin answers with an event (join, configure, start): that whole event, checked. */
  public JsonObject send(long handle, JsonObject body, String jsepType, String sdp, Duration timeout)
      throws IOException {
    String transaction = nextTransaction();
    CompletableFuture<JsonObject> event = new CompletableFuture<>();
    pending.put(transaction, event);
    try {
      JsonObject ack = post("/" + session + "/" + handle, JanusMessages.message(transaction, body, jsepType, sdp));
      if (!"ack".equals(ack.getString("janus"))) {
        JanusMessages.pluginData(ack); // an error answer throws; a synchronous success is returned as it is
        return ack;
      }
      JsonObject answer = event.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      JanusMessages.pluginData(answer);
      return answer;
    } catch (TimeoutException e) {
      throw new IOException("no Janus event for " + body.encode() + " in " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    } finally {
      pending.remove(transaction);
    }
  }

  /** Our candidates are all learned from our checks: none will trickle. */
  public void trickleCompleted(long handle) throws IOException {
    post("/" + session + "/" + handle, JanusMessages.trickleCompleted(nextTransaction()));
  }

  @Override
  public void close() {
    closed = true;
    try {
      post("/" + session, new JsonObject().put("janus", "destroy").put("transaction", nextTransaction()));
    } catch (IOException | RuntimeException e) {
      // Janus is going away with the benchmark anyway.
    }
    poller.interrupt();
  }

  private void poll() {
    while (!closed) {
      try {
        HttpRequest get = HttpRequest.newBuilder(URI.create(base + "/" + session + "?maxev=50"))
            .timeout(Duration.ofSeconds(40)).GET().build();
        String body = http.send(get, HttpResponse.BodyHandlers.ofString()).body();
        for (JsonObject event : JanusMessages.events(body)) {
          CompletableFuture<JsonObject> waiting = pending.get(event.getString("transaction", ""));
          if (waiting != null && !"ack".equals(event.getString("janus"))) {
            waiting.complete(event);
          }
        }
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          sleepQuietly(); // a keepalive answer or a hiccup: poll again
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private JsonObject post(String path, JsonObject message) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(message.encode())).header("Content-Type", "application/json").build();
    try {
      return new JsonObject(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private String nextTransaction() {
    return "t" + transactions.incrementAndGet();
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

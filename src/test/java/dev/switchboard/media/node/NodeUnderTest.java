package dev.switchboard.media.node;

import dev.switchboard.media.forward.Router;
import dev.switchboard.media.sdp.MediaPlan;
import dev.switchboard.media.transport.DtlsServer;
import dev.switchboard.media.transport.MediaPort;
import dev.switchboard.media.transport.NodeCertificate;
import dev.switchboard.media.transport.TransportSessions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A media node on 127.0.0.1 without Vert.x: its port, sessions, DTLS server and {@link MediaNode}, events recorded. */
final class NodeUnderTest implements AutoCloseable {
  record Event(String room, String peerId, String name, JsonObject payload) {
  }

  final MediaPort port;
  final DtlsServer dtls;
  final MediaNode node;
  final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  /** Events taken off the queue and not awaited yet. */
  private final List<Event> seen = new java.util.ArrayList<>();

  NodeUnderTest() throws IOException {
    port = MediaPort.bind("127.0.0.1", 0, MediaPort.Io.AUTO);
    TransportSessions sessions = new TransportSessions(port, System::currentTimeMillis, TransportSessions.Limits.defaults());
    dtls = new DtlsServer(NodeCertificate.generate());
    InetSocketAddress bound = port.localAddress();
    node = new MediaNode(sessions, dtls, new Router(Router.Limits.defaults(), new SplittableRandom()),
        List.of(new MediaPlan.Candidate("127.0.0.1", bound.getPort(), 2130706431L)),
        (room, peer, name, payload) -> events.add(new Event(room, peer, name, payload)), port::execute, System::nanoTime);
    port.start(sessions::onDatagram);
    port.schedule(node::tick, Duration.ofMillis(20));
    port.schedule(node::slowTick, Duration.ofSeconds(1));
  }

  /** Runs on the packet thread, as the verticle does, and waits for the result. */
  <T> T call(Callable<T> work) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    port.execute(() -> {
      try {
        result.complete(work.call());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    });
    try {
      return result.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  /** The first event of that name for that peer not awaited before, in the order the node pushed them. */
  Event awaitEvent(String peerId, String name) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      synchronized (seen) {
        for (java.util.Iterator<Event> it = seen.iterator(); it.hasNext(); ) {
          Event event = it.next();
          if (event.peerId().equals(peerId) && event.name().equals(name)) {
            it.remove();
            return event;
          }
        }
      }
      Event next = events.poll(50, TimeUnit.MILLISECONDS);
      if (next != null) {
        synchronized (seen) {
          seen.add(next);
        }
      }
    }
    throw new AssertionError("no " + name + " for " + peerId + " within 10 s");
  }

  @Override
  public void close() throws Exception {
    port.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
    dtls.close();
  }
}

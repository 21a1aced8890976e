package dev.switchboard.gateway;

import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.RawWebSocket;
import dev.switchboard.support.TestClient;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an open socket keeps on the heap once its HTTP/1 upgrade is done. */
@ExtendWith(VertxExtension.class)
class UpgradedSocketMemoryTest {
  private static final String HTTP1_CONNECTION = "io.vertx.core.http.impl.Http1xServerConnection";
  /** The multi-producer queue behind a Vert.x connection's outbound message queue: 1,024 slots, 4.7 KB. */
  private static final String SHARED_WRITE_QUEUE = "io.netty.util.internal.shaded.org.jctools.queues.MpscUnboundedArrayQueue";

  /** Live instances of a class in this JVM, from a histogram that jcmd takes after a full GC. */
  private static long liveInstances(String className) throws Exception {
    String histogram = ExternalProcess.run(Duration.ofSeconds(60), "jcmd",
        String.valueOf(ProcessHandle.current().pid()), "GC.class_histogram").output();
    Matcher line = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+\\d+\\s+" + Pattern.quote(className) + "\\s*$",
        Pattern.MULTILINE).matcher(histogram);
    return line.find() ? Long.parseLong(line.group(1)) : 0;
  }

  @Test
  @Timeout(120)
  void an_upgraded_socket_lets_go_of_the_http1_connection_it_came_from(Vertx vertx) throws Exception {
    int sockets = 20;
    try (TestNode node = TestNode.start(vertx)) {
      long before = liveInstances(HTTP1_CONNECTION);
      List<TestClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < sockets; i++) {
          TestClient client = node.connect();
          clients.add(client);
          client.enter("memory-" + i);
        }
        long kept = liveInstances(HTTP1_CONNECTION) - before;
        // each HTTP/1 connection holds a 1,024-slot queue chunk and its request's objects: ~6 KB per socket
        assertTrue(kept < sockets / 2, sockets + " open sockets keep " + kept + " HTTP/1 connections reachable");
      } finally {
        clients.forEach(TestClient::close);
      }
    }
  }

  @Test
  @Timeout(120)
  void an_upgraded_socket_has_no_multi_producer_write_queue(Vertx vertx) throws Exception {
    int sockets = 20;
    try (TestNode node = TestNode.start(vertx)) {
      long before = liveInstances(SHARED_WRITE_QUEUE);
      // raw sockets: a Vert.x client's own connections would have such queues
      List<RawWebSocket> raw = new ArrayList<>();
      try {
        for (int i = 0; i < sockets; i++) {
          raw.add(RawWebSocket.connect(node.port()));
        }
        long queues = liveInstances(SHARED_WRITE_QUEUE) - before;
        // written only from its event loop, a gateway socket writes through Vert.x's direct queue
        assertTrue(queues < sockets / 2, sockets + " open sockets hold " + queues + " multi-producer write queues");
      } finally {
        for (RawWebSocket socket : raw) {
          socket.close();
        }
      }
    }
  }
}

package dev.switchboard.bench;

import io.netty.channel.Channel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.impl.ConnectionBase;

import java.lang.ref.WeakReference;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Minimal reproducer, plain Vert.x 5 and nothing of Switchboard (not a test): upgrades N WebSockets on an
 * HTTP server and reports, after a full GC, how many of the HTTP/1 connections they were upgraded from are
 * still reachable, the Netty handlers left in an upgraded socket's pipeline, and the server's live heap per
 * socket (client and server share the JVM: the client's share is measured first and subtracted).
 *
 * <pre>java -cp target/test-classes:target/switchboard.jar [-Dsockets=2000] [-Dh2c=false] [-Dclear=true] \
 *   dev.switchboard.bench.UpgradeRetention</pre>
 * {@code -Dh2c=false} turns off HTTP/2 clear-text upgrades; {@code -Dclear=true} clears, after the upgrade,
 * the connection factory that the WebSocket's {@code VertxHandler} keeps (what the gateway's
 * {@code UpgradeLeftovers} does): the lambda captured the HTTP/1 connection and its request.
 * {@code -Ddirect=true} gives the WebSocket connection the direct outbound queue of strict thread mode instead
 * of its multi-producer queue (another 1,024-slot chunk), as the gateway does too.
 *
 * <p>Vert.x 5.0.7, 2,000 sockets: all 2,000 HTTP/1 connections reachable without {@code clear}, none with it.
 */
public final class UpgradeRetention {
  private UpgradeRetention() {
  }

  public static void main(String[] args) throws Exception {
    int sockets = Integer.getInteger("sockets", 2000);
    boolean h2c = Boolean.parseBoolean(System.getProperty("h2c", "true"));
    boolean clear = Boolean.getBoolean("clear");
    boolean direct = Boolean.getBoolean("direct");
    Vertx server = Vertx.vertx();
    Vertx clientVertx = Vertx.vertx();
    List<WeakReference<Object>> httpConnections = new ArrayList<>();
    List<Object> webSockets = new ArrayList<>();
    String[] pipeline = {""};
    HttpServer http = server.createHttpServer(new HttpServerOptions()
            .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false)
            .setHttp2ClearTextEnabled(h2c))
        .requestHandler(request -> {
          ConnectionBase connection = (ConnectionBase) request.connection();
          Channel channel = connection.channel();
          request.toWebSocket().onSuccess(ws -> {
            if (clear) {
              clearConnectionFactory(channel);
            }
            if (direct) {
              writeDirectly(channel);
            }
            synchronized (httpConnections) {
              httpConnections.add(new WeakReference<>(connection));
              webSockets.add(ws);
              pipeline[0] = String.join(", ", channel.pipeline().names());
            }
          });
        });
    int port = http.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    WebSocketClient client = clientVertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000));
    long baseline = usedAfterGc();
    List<Object> clientSockets = new ArrayList<>();
    for (int i = 0; i < sockets; i += 200) {
      List<Future<?>> batch = new ArrayList<>();
      for (int j = i; j < Math.min(sockets, i + 200); j++) {
        batch.add(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws"))
            .onSuccess(clientSockets::add));
      }
      Future.all(batch).await(30, TimeUnit.SECONDS);
    }
    Thread.sleep(500);
    long withSockets = usedAfterGc();
    int retained = 0;
    synchronized (httpConnections) {
      for (WeakReference<Object> ref : httpConnections) {
        retained += ref.get() != null ? 1 : 0;
      }
    }
    System.out.printf("h2c=%s clear=%s direct=%s: %d sockets upgraded; HTTP/1 connections still reachable after GC: %d%n",
        h2c, clear, direct, httpConnections.size(), retained);
    System.out.println("pipeline of an upgraded socket: " + pipeline[0]);
    System.out.printf("live heap, client and server together: %.2f KB per socket%n",
        (withSockets - baseline) / 1024.0 / sockets);
    String dump = System.getProperty("dump");
    if (dump != null) {
      // for a path from the GC roots to a retained connection
      ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).dumpHeap(dump, true);
    }
    clientVertx.close().await(10, TimeUnit.SECONDS);
    server.close().await(10, TimeUnit.SECONDS);
  }

  private static void clearConnectionFactory(Channel channel) {
    try {
      java.lang.reflect.Field factory = io.vertx.core.net.impl.VertxHandler.class.getDeclaredField("connectionFactory");
      factory.setAccessible(true);
      factory.set(channel.pipeline().get("handler"), null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeDirectly(Channel channel) {
    try {
      Object connection = ((io.vertx.core.net.impl.VertxHandler<?>) channel.pipeline().get("handler")).getConnection();
      java.lang.reflect.Field queue = io.vertx.core.net.impl.VertxConnection.class.getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      java.lang.reflect.Constructor<?> direct = Class.forName("io.vertx.core.net.impl.VertxConnection$DirectOutboundMessageQueue")
          .getDeclaredConstructor(io.vertx.core.net.impl.VertxConnection.class);
      direct.setAccessible(true);
      queue.set(connection, direct.newInstance(connection));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}

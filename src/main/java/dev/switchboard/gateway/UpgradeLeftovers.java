package dev.switchboard.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Trims what Vert.x 5 (5.0.7) keeps per upgraded WebSocket and its API cannot release; measured with
 * {@code dev.switchboard.bench.UpgradeRetention} and the {@code memory} phase of scripts/bench-signaling.sh.
 * <ul>
 *   <li>The WebSocket's {@link VertxHandler} keeps the factory lambda it was built from for the socket's whole
 *   life, although it calls it once; the lambda captured the HTTP/1 connection, its request, response and
 *   headers, and that connection holds a 1,024-slot outbound queue chunk: about 6 KB per socket. The field is
 *   cleared.</li>
 *   <li>The WebSocket connection's own outbound queue is a multi-producer queue (another 1,024-slot chunk,
 *   4.7 KB) that lets any thread write. A gateway socket is written only from its event loop, so it gets the
 *   direct queue Vert.x uses for HTTP servers in strict thread mode: a write goes straight to the Netty
 *   pipeline, and the queue is full when the channel is not writable (its buffer is above the write-queue
 *   size set on the socket). Vert.x asserts that such writes are on the event loop.</li>
 *   <li>The handshake's request headers stay readable through {@link ServerWebSocket#headers()}; the gateway
 *   read what it needed before the upgrade, so they are cleared.</li>
 * </ul>
 * Where a Vert.x version lacks a field or class used here, that step is skipped and it is logged once.
 */
final class UpgradeLeftovers {
  private static final Logger LOG = Logger.getLogger(UpgradeLeftovers.class.getName());
  private static final Field FACTORY = field(VertxHandler.class, "connectionFactory");
  private static final Field OUTBOUND_QUEUE = field(VertxConnection.class, "outboundMessageQueue");
  private static final Constructor<?> DIRECT_QUEUE = directQueue();

  private UpgradeLeftovers() {
  }

  private static Field field(Class<?> owner, String name) {
    try {
      Field field = owner.getDeclaredField(name);
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(Level.INFO, owner.getName() + " has no field " + name + ": upgraded sockets keep more memory", e);
      return null;
    }
  }

  private static Constructor<?> directQueue() {
    try {
      Constructor<?> constructor = Class.forName(VertxConnection.class.getName() + "$DirectOutboundMessageQueue")
          .getDeclaredConstructor(VertxConnection.class);
      constructor.setAccessible(true);
      return constructor;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(Level.INFO, "no direct outbound queue in this Vert.x: sockets keep their shared write queue", e);
      return null;
    }
  }

  /**
   * Call on the socket's event loop as soon as the WebSocket is open, before anything was written to it (its
   * handler is in the pipeline and has made its connection; the factory is never called again).
   */
  static void release(Channel channel, ServerWebSocket ws) {
    for (Map.Entry<String, ChannelHandler> entry : channel.pipeline()) {
      if (entry.getValue() instanceof VertxHandler<?> handler && handler.getConnection() != null) {
        try {
          if (FACTORY != null) {
            FACTORY.set(handler, null);
          }
          if (OUTBOUND_QUEUE != null && DIRECT_QUEUE != null) {
            OUTBOUND_QUEUE.set(handler.getConnection(), DIRECT_QUEUE.newInstance(handler.getConnection()));
          }
        } catch (ReflectiveOperationException | RuntimeException e) {
          LOG.log(Level.FINE, "could not trim an upgraded socket", e);
        }
      }
    }
    ws.headers().clear();
  }
}

package dev.switchboard.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.vertx.core.net.impl.VertxHandler;

import java.lang.reflect.Field;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lets go of what Vert.x 5 keeps of an HTTP/1 connection once it has become a WebSocket.
 *
 * <p>Vert.x (5.0.7) puts a new {@link VertxHandler} in the pipeline of an upgraded connection, built from a
 * factory lambda that captured the HTTP/1 connection, its request, response and headers, and the handler keeps
 * that lambda for the socket's whole life although it only calls it once, when it is added to the pipeline. The
 * HTTP/1 connection holds a 1,024-slot outbound queue chunk: about 6 KB of heap per idle socket for nothing
 * (shown by {@code dev.switchboard.bench.UpgradeRetention}). Vert.x's API cannot drop it, so the factory
 * field is cleared here; if a Vert.x version has no such field, nothing is changed and it is said once.
 */
final class UpgradeLeftovers {
  private static final Logger LOG = Logger.getLogger(UpgradeLeftovers.class.getName());
  private static final Field FACTORY = factoryField();

  private UpgradeLeftovers() {
  }

  private static Field factoryField() {
    try {
      Field field = VertxHandler.class.getDeclaredField("connectionFactory");
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(Level.INFO, "Vert.x's VertxHandler has no connectionFactory field: an upgraded socket keeps its"
          + " HTTP/1 connection reachable", e);
      return null;
    }
  }

  /**
   * Call on the event loop once the WebSocket is open (its handler was added to the pipeline and has made its
   * connection; the factory is never called again).
   */
  static void release(Channel channel) {
    if (FACTORY == null) {
      return;
    }
    for (var entry : channel.pipeline()) {
      ChannelHandler handler = entry.getValue();
      if (handler instanceof VertxHandler<?> vertxHandler && vertxHandler.getConnection() != null) {
        try {
          FACTORY.set(vertxHandler, null);
        } catch (IllegalAccessException e) {
          LOG.log(Level.FINE, "could not clear the upgrade's connection factory", e);
        }
      }
    }
  }
}

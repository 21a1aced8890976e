package dev.switchboard.gateway;

import dev.switchboard.channel.ChannelSocket;
import dev.switchboard.channel.Transport;
import io.vertx.core.http.ServerWebSocket;

/** A Vert.x server WebSocket as a channel transport; a client that stops reading is disconnected. */
final class WebSocketTransport implements Transport {
  private final ServerWebSocket ws;

  WebSocketTransport(ServerWebSocket ws) {
    this.ws = ws;
  }

  @Override
  public void send(String text) {
    if (ws.isClosed()) {
      return;
    }
    if (ws.writeQueueFull()) {
      ws.close(ChannelSocket.CLOSE_POLICY_VIOLATION, "client not reading");
      return;
    }
    ws.writeTextMessage(text);
  }

  @Override
  public void close(short code, String reason) {
    if (!ws.isClosed()) {
      ws.close(code, reason);
    }
  }
}

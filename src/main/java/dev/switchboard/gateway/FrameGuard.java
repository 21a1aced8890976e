package dev.switchboard.gateway;

import dev.switchboard.channel.ChannelSocket;
import dev.switchboard.channel.ExitReason;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits between Netty's WebSocket decoder and Vert.x, for what Vert.x does not bound per socket:
 * <ul>
 *   <li>Vert.x answers every ping with a pong whatever the state of the connection. Here pings and pongs
 *   cost a token of the socket's budget like any message (a client that pings forever is refused, then
 *   closed), and a ping is dropped unanswered while the outbound queue is full, so a client that pings and
 *   never reads cannot grow the server's memory.</li>
 *   <li>A message sent in fragments is reassembled by Vert.x up to its message limit and then silently
 *   dropped; here the socket is closed (1009) as soon as a message grows past the limit.</li>
 * </ul>
 */
final class FrameGuard extends ChannelInboundHandlerAdapter {
  static final String NAME = "switchboard-frame-guard";
  static final short CLOSE_MESSAGE_TOO_BIG = 1009;

  private final ChannelSocket socket;
  private final int maxMessageBytes;
  private long messageBytes;

  FrameGuard(ChannelSocket socket, int maxMessageBytes) {
    this.socket = socket;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof PingWebSocketFrame) {
      if (socket.onControlFrame() && ctx.channel().isWritable()) {
        ctx.fireChannelRead(msg);
      } else {
        ReferenceCountUtil.release(msg);
      }
      return;
    }
    if (msg instanceof PongWebSocketFrame) {
      // Switchboard never pings, so a pong carries nothing it needs
      socket.onControlFrame();
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof WebSocketFrame frame && tooLarge(frame)) {
      ReferenceCountUtil.release(msg);
      socket.close(CLOSE_MESSAGE_TOO_BIG, "message too big", ExitReason.SOCKET_CLOSED);
      return;
    }
    ctx.fireChannelRead(msg);
  }

  private boolean tooLarge(WebSocketFrame frame) {
    messageBytes = (frame instanceof ContinuationWebSocketFrame ? messageBytes : 0) + frame.content().readableBytes();
    boolean tooLarge = messageBytes > maxMessageBytes;
    if (frame.isFinalFragment()) {
      messageBytes = 0;
    }
    return tooLarge;
  }
}

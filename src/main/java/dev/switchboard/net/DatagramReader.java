package dev.switchboard.net;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The end of a Netty datagram pipeline: one datagram at a time into {@link #read}, its pooled buffer released
 * after; whatever goes wrong with one datagram or socket costs that datagram, never the loop. Used by the TURN
 * relay's epoll engine and by the media node's port.
 */
public abstract class DatagramReader extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = Logger.getLogger(DatagramReader.class.getName());

  protected abstract void read(DatagramPacket packet);

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    DatagramPacket packet = (DatagramPacket) message;
    try {
      read(packet);
    } catch (RuntimeException e) {
      LOG.log(Level.FINE, "datagram dropped", e);
    } finally {
      packet.release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.log(Level.FINE, "UDP socket error", cause);
  }
}

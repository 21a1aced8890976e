package dev.switchboard.media.transport;

import java.net.InetSocketAddress;

/** Where the media node's datagrams leave: the bytes are copied before this returns, and it never blocks. */
public interface DatagramSink {
  void send(InetSocketAddress to, byte[] buf, int off, int len);
}

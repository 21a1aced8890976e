package dev.switchboard.media.transport;

import java.net.InetSocketAddress;

/**
 * What one transport session hands upwards, on the packet thread. Buffers are lent for the call: a callee that
 * keeps bytes copies them.
 */
public interface TransportHandler {
  void onDtls(byte[] buf, int off, int len);

  void onRtp(byte[] buf, int off, int len);

  void onRtcp(byte[] buf, int off, int len);

  /** The peer nominated this 5-tuple (first nomination or a later switch): media goes there from now on. */
  void onSelected(InetSocketAddress remote);

  /** No valid check on the selected pair for 30 s (RFC 7675): the peer is gone; nothing is sent any more. */
  void onConsentLost();
}

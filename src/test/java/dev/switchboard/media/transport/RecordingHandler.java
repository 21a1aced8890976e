package dev.switchboard.media.transport;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Records what a session hands up, as "kind:first byte" strings and the selections. */
final class RecordingHandler implements TransportHandler {
  final List<String> packets = new ArrayList<>();
  final List<InetSocketAddress> selections = new ArrayList<>();
  int consentLost;

  @Override
  public void onDtls(byte[] buf, int off, int len) {
    packets.add("dtls:" + Arrays.toString(Arrays.copyOfRange(buf, off, off + len)));
  }

  @Override
  public void onRtp(byte[] buf, int off, int len) {
    packets.add("rtp:" + Arrays.toString(Arrays.copyOfRange(buf, off, off + len)));
  }

  @Override
  public void onRtcp(byte[] buf, int off, int len) {
    packets.add("rtcp:" + Arrays.toString(Arrays.copyOfRange(buf, off, off + len)));
  }

  @Override
  public void onSelected(InetSocketAddress remote) {
    selections.add(remote);
  }

  @Override
  public void onConsentLost() {
    consentLost++;
  }
}

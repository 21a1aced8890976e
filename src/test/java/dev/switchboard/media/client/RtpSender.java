package dev.switchboard.media.client;

import java.io.IOException;

/** Where publishers put their packets: {@link MediaClient#sendRtp} in the kit, a list in specs. */
@FunctionalInterface
public interface RtpSender {
  void sendRtp(int ssrc, int payloadType, int sequence, long timestamp, boolean marker, byte[] payload)
      throws IOException;
}

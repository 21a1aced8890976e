package dev.switchboard.bench.media;

import dev.switchboard.media.client.MediaClient;

/**
 * One SFU as the media benchmark drives it: participants publish the benchmark's video and receive the others'.
 * Each implementation negotiates the way that SFU's own clients do (Switchboard: one PeerConnection per
 * participant over its room channel; Janus VideoRoom: a publisher PeerConnection and one subscriber
 * PeerConnection for all the feeds a participant watches).
 */
interface SfuUnderTest extends AutoCloseable {
  /**
   * Connects participant {@code index} as the publisher of a video stream under {@code ssrc} (ICE, DTLS, SRTP
   * done) and returns the connection to send it on. Media that arrives on that connection goes to {@code tally}.
   */
  MediaClient publish(int index, long ssrc, ReceiveTally tally) throws Exception;

  /** Makes participant {@code index} receive every publisher's video but its own, counted in {@code tally}. */
  void subscribe(int index, ReceiveTally tally) throws Exception;

  @Override
  void close();
}

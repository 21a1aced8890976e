package dev.switchboard.media.forward;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The media node's running totals, for its metrics: what came in and went out, loss recovery, keyframe requests,
 * drops, and how many participants, rooms and tracks it holds. One instance per node, shared by its rooms.
 *
 * <p>Written on the packet thread only, read by the metrics scrape on another thread. The counters are
 * {@link LongAdder}s (an uncontended add is one CAS on the writer's side, and the reader sees whole values); the
 * gauges are volatile ints set after each change of membership. A scrape may see one counter a packet ahead of
 * another: totals for dashboards, not a consistent snapshot.
 */
public final class MediaCounters {
  private final LongAdder packetsIn = new LongAdder();
  private final LongAdder bytesIn = new LongAdder();
  private final LongAdder packetsOut = new LongAdder();
  private final LongAdder bytesOut = new LongAdder();
  private final LongAdder nacksReceived = new LongAdder();
  private final LongAdder nacksSent = new LongAdder();
  private final LongAdder retransmissionsSent = new LongAdder();
  private final LongAdder retransmissionsReceived = new LongAdder();
  private final LongAdder plisSent = new LongAdder();
  private final LongAdder keyframeRequestsReceived = new LongAdder();
  private final LongAdder droppedNotReady = new LongAdder();
  private volatile LongSupplier portDropped = () -> 0;
  private volatile int participants;
  private volatile int rooms;
  private volatile int tracks;

  /** An RTP packet from a publisher, as it arrived (protected length). */
  public void packetIn(int bytes) {
    packetsIn.increment();
    bytesIn.add(bytes);
  }

  /** An RTP packet handed to a subscriber's SRTP session and socket (unprotected length). */
  public void packetOut(int bytes) {
    packetsOut.increment();
    bytesOut.add(bytes);
  }

  /** A subscriber's NACK (one RTCP NACK message, whatever number of packets it names). */
  public void nackReceived() {
    nacksReceived.increment();
  }

  /** An upstream NACK the node sent a publisher. */
  public void nackSent() {
    nacksSent.increment();
  }

  /** A packet sent to a subscriber again because it NACKed it (RTX or plain). */
  public void retransmissionSent() {
    retransmissionsSent.increment();
  }

  /** A packet a publisher sent again on its RTX stream after the node's NACK. */
  public void retransmissionReceived() {
    retransmissionsReceived.increment();
  }

  /** A PLI the node sent a publisher (for a subscriber's request, a new subscriber or unrecoverable loss). */
  public void pliSent() {
    plisSent.increment();
  }

  /** A subscriber's PLI or FIR entry. */
  public void keyframeRequestReceived() {
    keyframeRequestsReceived.increment();
  }

  /** A packet for a subscriber that could not take it (no SRTP keys or address yet). */
  public void packetNotReady() {
    droppedNotReady.increment();
  }

  /** Where the port's own drop count comes from (too large, send queue full, port closed), once it is bound. */
  public void portDropped(LongSupplier source) {
    this.portDropped = source;
  }

  public long portDropped() {
    return portDropped.getAsLong();
  }

  /** After a change of membership or publications, on the packet thread. */
  public void population(int participants, int rooms, int tracks) {
    this.participants = participants;
    this.rooms = rooms;
    this.tracks = tracks;
  }

  public long packetsIn() {
    return packetsIn.sum();
  }

  public long bytesIn() {
    return bytesIn.sum();
  }

  public long packetsOut() {
    return packetsOut.sum();
  }

  public long bytesOut() {
    return bytesOut.sum();
  }

  public long nacksReceived() {
    return nacksReceived.sum();
  }

  public long nacksSent() {
    return nacksSent.sum();
  }

  public long retransmissionsSent() {
    return retransmissionsSent.sum();
  }

  public long retransmissionsReceived() {
    return retransmissionsReceived.sum();
  }

  public long plisSent() {
    return plisSent.sum();
  }

  public long keyframeRequestsReceived() {
    return keyframeRequestsReceived.sum();
  }

  public long droppedNotReady() {
    return droppedNotReady.sum();
  }

  public int participants() {
    return participants;
  }

  public int rooms() {
    return rooms;
  }

  public int tracks() {
    return tracks;
  }
}

package dev.switchboard.media.transport;

/** jitsi-srtp's one-time cost, paid at start. */
public final class SrtpWarmUp {
  private SrtpWarmUp() {
  }

  /**
   * Protects one RTP and one RTCP packet with every profile and throwaway keys, and returns how many round trips
   * succeeded. jitsi-srtp chooses its cipher implementation by benchmarking the candidates the first time a context
   * of a kind is made (0.2-0.3 s here); made on the packet thread, at the first participant's first PLI, that
   * stalled every stream of the node (BENCHMARKS.md §6). Call it once at start, off the packet thread.
   */
  public static int run() {
    java.util.Random random = new java.util.Random(7);
    int ok = 0;
    for (SrtpProfile profile : SrtpProfile.values()) {
      byte[][] parts = new byte[4][];
      for (int i = 0; i < parts.length; i++) {
        parts[i] = new byte[i % 2 == 0 ? profile.keyLength : profile.saltLength];
        random.nextBytes(parts[i]);
      }
      SrtpKeys keys = new SrtpKeys(profile, parts[0], parts[1], parts[2], parts[3]);
      try (SrtpSession node = SrtpSession.forServer(keys); SrtpSession client = SrtpSession.forClient(keys)) {
        byte[] rtp = new byte[12 + 20 + SrtpSession.RTP_ROOM];
        rtp[0] = (byte) 0x80;
        rtp[1] = 96;
        rtp[11] = 1;
        int protectedLength = node.protectRtp(rtp, 0, 32);
        ok += protectedLength > 0 && client.unprotectRtp(rtp, 0, protectedLength) == 32 ? 1 : 0;
        byte[] rtcp = new byte[8 + SrtpSession.RTCP_ROOM];
        rtcp[0] = (byte) 0x80;
        rtcp[1] = (byte) 201; // an empty receiver report
        rtcp[3] = 1;
        rtcp[7] = 1;
        protectedLength = node.protectRtcp(rtcp, 0, 8);
        ok += protectedLength > 0 && client.unprotectRtcp(rtcp, 0, protectedLength) == 8 ? 1 : 0;
      }
    }
    return ok;
  }
}

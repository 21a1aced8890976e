package dev.switchboard.turn;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

/**
 * Coverage-guided fuzzing of the relay as UDP clients reach it: each input is a sequence of datagrams from a few
 * source addresses (format: {@link TurnFuzzInput}), which the rig can sign with known credentials so that
 * Allocate, Refresh, CreatePermission, ChannelBind, Send indications and ChannelData are reached, not only 401s.
 * {@link TurnFuzzChecks} lists the invariants. In the normal build this runs the seeds under
 * {@code TurnPacketFuzzTestInputs/datagrams} once each; {@code scripts/fuzz.sh packet <minutes>} fuzzes (FUZZING.md).
 */
class TurnPacketFuzzTest {
  /** The per-input deadline; while fuzzing, Jazzer turns it into libFuzzer's -timeout (a hang is a finding). */
  @FuzzTest
  @Timeout(10)
  void datagrams(byte[] input) {
    run(input);
  }

  /** Runs one input on a fresh rig: what it reached, or a {@link TurnFuzzChecks.Violation}. */
  static TurnFuzzChecks.Observed run(byte[] input) {
    TurnFuzzRig rig = new TurnFuzzRig();
    try (rig) {
      for (TurnFuzzInput.Step step : TurnFuzzInput.steps(input, 0)) {
        rig.datagram(step);
      }
    }
    return rig.checks.observed;
  }
}

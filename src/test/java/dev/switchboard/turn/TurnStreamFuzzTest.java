package dev.switchboard.turn;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;

import static dev.switchboard.turn.TurnFuzzChecks.require;

/**
 * Coverage-guided fuzzing of TURN over TCP and TLS: each input is one client's byte stream of STUN messages and
 * ChannelData (format: {@link TurnFuzzInput}), cut into reads the input chooses. The same stream goes through the
 * TCP listener's {@code FrameReader} and the TLS listener's {@code StreamAssembler}, each into a server of its
 * own: both must cut exactly the frames of the whole stream read at once, both servers must answer them alike,
 * and every invariant of {@link TurnFuzzChecks} holds on both. {@code scripts/fuzz.sh stream <minutes>} fuzzes (FUZZING.md).
 */
class TurnStreamFuzzTest {
  @FuzzTest
  @Timeout(10)
  void stream(byte[] input) {
    run(input);
  }

  /** Runs one input over TCP and over TLS, on a fresh rig each: what each reached, or a violation. */
  static List<TurnFuzzChecks.Observed> run(byte[] input) {
    TurnFuzzInput.Chunking chunking = TurnFuzzInput.Chunking.read(input);
    List<TurnFuzzInput.Step> steps = TurnFuzzInput.steps(input, chunking.stepsFrom());
    TurnFuzzRig overTcp = new TurnFuzzRig();
    TurnFuzzRig overTls = new TurnFuzzRig();
    try (overTcp; overTls) {
      byte[] stream = overTcp.stream(steps);
      List<byte[]> whole = TurnFuzzRig.frames(stream);
      sameFrames("TCP", whole, overTcp.tcpStream(stream, chunking.sizes(), steps));
      sameFrames("TLS", whole, overTls.tlsStream(stream, chunking.sizes(), steps));
    }
    List<String> overTcpAnswers = overTcp.checks.observed.answers;
    List<String> overTlsAnswers = overTls.checks.observed.answers;
    require(overTcpAnswers.equals(overTlsAnswers),
        () -> "the same frames were answered " + overTcpAnswers + " over TCP, " + overTlsAnswers + " over TLS");
    return List.of(overTcp.checks.observed, overTls.checks.observed);
  }

  private static void sameFrames(String path, List<byte[]> whole, List<byte[]> cut) {
    require(whole.size() == cut.size(), () -> path + " framing cut " + cut.size() + " frames, not " + whole.size());
    for (int i = 0; i < whole.size(); i++) {
      int frame = i;
      require(Arrays.equals(whole.get(i), cut.get(i)), () -> path + " framing changed frame " + frame);
    }
  }
}

package dev.switchboard.turn;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.List;

import static dev.switchboard.turn.TurnFuzzChecks.require;

/**
 * Coverage-guided fuzzing of TURN over TCP and TLS: each input is one client's byte stream of STUN messages and
 * ChannelData (format: {@link TurnFuzzInput}), cut into the chunks the input chooses, as the stream listener's
 * {@code StreamAssembler} frames them for TCP and TLS alike. The same stream also goes, in one chunk, into a
 * second server: the chunks must come to exactly the frames of the whole stream, both servers must answer them
 * alike, and every invariant of {@link TurnFuzzChecks} holds on both. {@code scripts/fuzz.sh stream <minutes>}
 * fuzzes (FUZZING.md).
 */
class TurnStreamFuzzTest {
  @FuzzTest
  @Timeout(10)
  void stream(byte[] input) {
    run(input);
  }

  /** Runs one input in chunks and whole, on a fresh rig each: what each reached, or a violation. */
  static List<TurnFuzzChecks.Observed> run(byte[] input) {
    TurnFuzzInput.Chunking chunking = TurnFuzzInput.Chunking.read(input);
    List<TurnFuzzInput.Step> steps = TurnFuzzInput.steps(input, chunking.stepsFrom());
    TurnFuzzRig inChunks = new TurnFuzzRig();
    TurnFuzzRig whole = new TurnFuzzRig();
    try (inChunks; whole) {
      byte[] stream = inChunks.streamOf(steps);
      List<byte[]> frames = TurnFuzzRig.frames(stream);
      sameFrames(frames, inChunks.stream(stream, chunking.sizes(), steps));
      whole.stream(stream, new int[] {Math.max(1, stream.length)}, steps);
    }
    List<String> inChunksAnswers = inChunks.checks.observed.answers;
    List<String> wholeAnswers = whole.checks.observed.answers;
    require(inChunksAnswers.equals(wholeAnswers),
        () -> "the same frames were answered " + inChunksAnswers + " in chunks, " + wholeAnswers + " whole");
    return List.of(inChunks.checks.observed, whole.checks.observed);
  }

  private static void sameFrames(List<byte[]> whole, List<byte[]> cut) {
    require(whole.size() == cut.size(), () -> "the chunks came to " + cut.size() + " frames, not " + whole.size());
    for (int i = 0; i < whole.size(); i++) {
      int frame = i;
      require(Arrays.equals(whole.get(i), cut.get(i)), () -> "the chunks changed frame " + frame);
    }
  }
}

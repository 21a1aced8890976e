package dev.switchboard.support;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The helper every process test relies on: it never hangs on a child, and it says what the child printed. */
class ExternalProcessTest {

  @Test
  void a_child_writing_more_than_a_pipe_holds_finishes_and_only_the_last_mebibyte_is_kept() throws Exception {
    // 3 MB on stdout and 100 KB on stderr: reading after waitFor would block both sides on full pipes
    ExternalProcess.Result run = ExternalProcess.run(new ProcessBuilder("sh", "-c",
        "head -c 3000000 /dev/zero | tr '\\0' x; echo; echo end-of-stdout; head -c 100000 /dev/zero | tr '\\0' y >&2"),
        Duration.ofSeconds(30));
    assertEquals(0, run.exit());
    assertTrue(run.stdout().endsWith("end-of-stdout\n"), () -> run.stdout().substring(run.stdout().length() - 100));
    assertTrue(run.stdout().startsWith("["), "the dropped head is marked");
    assertTrue(run.stdout().length() <= ExternalProcess.KEEP_CHARS + 100, "bounded: " + run.stdout().length());
    assertEquals(100_000, run.stderr().length(), "stderr drained on its own");
  }

  @Test
  void a_hung_child_is_killed_with_its_descendants_and_the_failure_carries_its_output() throws Exception {
    ExternalProcess child = ExternalProcess.start(new ProcessBuilder("sh", "-c",
        "echo started; sleep 300 & sleep 300; echo never").redirectErrorStream(true));
    child.awaitLine("started"::equals, "started", Duration.ofSeconds(10));
    Thread.sleep(200); // both sleeps forked
    List<ProcessHandle> tree = child.process().descendants().toList();
    assertEquals(2, tree.size(), tree::toString);
    long start = System.nanoTime();
    AssertionError failure = assertThrows(AssertionError.class, () -> child.await(Duration.ofSeconds(1)));
    assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10, "bounded by the timeout");
    assertTrue(failure.getMessage().contains("did not finish within 1 s"), failure.getMessage());
    assertTrue(failure.getMessage().contains("started"), "the output so far: " + failure.getMessage());
    assertFalse(child.isAlive());
    for (ProcessHandle descendant : tree) {
      descendant.onExit().get(5, TimeUnit.SECONDS);
      assertFalse(descendant.isAlive(), "descendant " + descendant.pid() + " killed too");
    }
  }

  @Test
  void waiting_for_a_line_fails_with_the_output_when_the_child_exits_without_it() {
    AssertionError failure = assertThrows(AssertionError.class, () -> {
      try (ExternalProcess child = ExternalProcess.start(new ProcessBuilder("sh", "-c", "echo oops >&2; exit 3")
          .redirectErrorStream(true))) {
        child.awaitLine(l -> l.contains("is up"), "a banner", Duration.ofSeconds(10));
      }
    });
    assertTrue(failure.getMessage().contains("exited with 3 before printing a banner"), failure.getMessage());
    assertTrue(failure.getMessage().contains("oops"), failure.getMessage());
  }

  @Test
  void output_redirected_to_a_file_is_read_back_from_the_file() throws Exception {
    Path log = Files.createTempFile("external-process", ".log");
    ExternalProcess.Result run = ExternalProcess.run(new ProcessBuilder("sh", "-c", "echo to-the-file")
        .redirectErrorStream(true).redirectOutput(log.toFile()), Duration.ofSeconds(10));
    assertEquals("to-the-file\n", run.output());
  }
}

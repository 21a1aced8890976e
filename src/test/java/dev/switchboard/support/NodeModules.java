package dev.switchboard.support;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The npm packages the browser specs drive browsers with ({@code src/test/js/package.json}, pinned by its
 * committed package-lock.json), installed by the system {@code npm ci} into the git-ignored
 * {@code src/test/js/node_modules} on first use and reused afterwards, so a fresh clone needs nothing but
 * npm and its registry. Call it from the test JVM (host network), before entering a test namespace.
 */
public final class NodeModules {
  /** The directory of package.json and the driver scripts. */
  public static final Path DIR = Path.of("src/test/js").toAbsolutePath();
  private static final Path INSTALLED = DIR.resolve("node_modules/.package-lock.json");

  private NodeModules() {
  }

  /** Runs {@code npm ci} unless node_modules already matches the lockfile; one install at a time across JVMs. */
  public static synchronized Path install() throws IOException, InterruptedException {
    Path lock = Files.createDirectories(Path.of("target").toAbsolutePath()).resolve("npm-install-test-js.lock");
    try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileLock ignored = channel.lock()) {
      if (!upToDate()) {
        ExternalProcess.Result npm = ExternalProcess.run(new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund",
            "--ignore-scripts").directory(DIR.toFile()).redirectErrorStream(true), Duration.ofMinutes(5));
        if (npm.exit() != 0 || !upToDate()) {
          throw new IllegalStateException("npm ci in " + DIR + " failed (" + npm.exit() + "):\n" + npm.output());
        }
      }
    }
    return DIR;
  }

  /** npm writes node_modules/.package-lock.json last, so one newer than the lockfile means a finished install. */
  private static boolean upToDate() throws IOException {
    return Files.exists(INSTALLED) && Files.getLastModifiedTime(INSTALLED)
        .compareTo(Files.getLastModifiedTime(DIR.resolve("package-lock.json"))) >= 0;
  }
}

package dev.switchboard.support;

import java.util.List;

/** The command for another JVM running a main class on this test run's classpath. */
public final class JavaProcess {
  private JavaProcess() {
  }

  public static List<String> command(Class<?> mainClass) {
    return List.of(ProcessHandle.current().info().command().orElse("java"),
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), mainClass.getName());
  }
}

package dev.switchboard.support;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Another JVM (a scenario's main class on this test run's classpath) in a fresh network namespace of its
 * own ({@code unshare -n}) that has only loopback, brought up first. Nothing in it can reach eth0 or any
 * other network, so browsers there may use host candidates, and firewall rules set there (iptables runs as
 * root inside the namespace) touch nothing outside it. The namespace goes away with the process.
 */
public final class LoopbackNamespace {
  private LoopbackNamespace() {
  }

  /**
   * @param setup shell commands run inside the namespace after loopback is up and before the JVM starts
   *              (each must succeed, e.g. iptables rules); none for a bare loopback-only namespace
   * @param args  the main class's arguments
   * @return a builder with stderr merged into stdout, for {@link ExternalProcess}
   */
  public static ProcessBuilder java(List<String> setup, Class<?> mainClass, String... args) {
    List<String> steps = new ArrayList<>();
    steps.add("ip link set lo up");
    steps.addAll(setup);
    List<String> java = new ArrayList<>(JavaProcess.command(mainClass));
    java.addAll(List.of(args));
    steps.add("exec " + java.stream().map(LoopbackNamespace::quoted).collect(Collectors.joining(" ")));
    // set -e: a setup step that fails stops the run there, with its message in the output
    return new ProcessBuilder("unshare", "-n", "--", "sh", "-ec", String.join("\n", steps)).redirectErrorStream(true);
  }

  private static String quoted(String arg) {
    return "'" + arg.replace("'", "'\\''") + "'";
  }
}

package dev.switchboard.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Debian's Firefox ESR, headless with a fresh profile and fake camera and microphone, driven over WebDriver BiDi
 * by {@code src/test/js/firefox-driver.mjs} (puppeteer-core; no geckodriver): a command per line on the driver's
 * stdin, a JSON answer per line on its stdout, read concurrently by {@link ExternalProcess}. Scripts take the
 * shape of Selenium's executeAsyncScript (arguments, then the callback last), so one client script drives
 * {@link Chromium} and Firefox alike. {@link NodeModules#install()} must have run first.
 */
public final class Firefox implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(60);
  private static final Duration SCRIPT = Duration.ofSeconds(60);
  private final ExternalProcess driver;
  private final OutputStream commands;
  private final String version;
  private int nextId = 1;

  private Firefox(ExternalProcess driver, String version) {
    this.driver = driver;
    this.commands = driver.process().getOutputStream();
    this.version = version;
  }

  public static Firefox start() throws IOException, InterruptedException {
    return start(Map.of());
  }

  /** @param prefs Firefox prefs set besides the driver's own (fake devices, no mDNS host names), e.g. for a spec */
  public static Firefox start(Map<String, Object> prefs) throws IOException, InterruptedException {
    ExternalProcess driver = ExternalProcess.start(new ProcessBuilder("node", "firefox-driver.mjs",
        new JsonObject(prefs).encode()).directory(NodeModules.DIR.toFile()));
    String ready = driver.awaitLine(line -> line.startsWith("{\"ready\":"), "that Firefox is up", START);
    return new Firefox(driver, new JsonObject(ready).getString("ready"));
  }

  /** e.g. {@code firefox/153.8.0} */
  public String version() {
    return version;
  }

  public void get(String url) throws IOException, InterruptedException {
    call(new JsonObject().put("op", "goto").put("url", url));
  }

  /** @return the value the script passed to its callback: a JsonObject, JsonArray, String, Number, Boolean or null */
  public Object executeAsyncScript(String script, Object... args) throws IOException, InterruptedException {
    return call(new JsonObject().put("op", "script").put("script", script).put("args", new JsonArray(List.of(args))));
  }

  /** Everything the page logged so far, one line per message, so a failing spec can say what Firefox saw. */
  public String console() {
    return driver.stdout().lines().filter(line -> line.startsWith("{\"console\":"))
        .map(line -> new JsonObject(line).getString("console")).collect(Collectors.joining("\n"))
        + (driver.stderr().isBlank() ? "" : "\n(driver stderr) " + driver.stderr());
  }

  private synchronized Object call(JsonObject command) throws IOException, InterruptedException {
    int id = nextId++;
    commands.write((command.put("id", id).encode() + "\n").getBytes(StandardCharsets.UTF_8));
    commands.flush();
    String prefix = "{\"id\":" + id + ",";
    JsonObject answer = new JsonObject(driver.awaitLine(line -> line.startsWith(prefix), "an answer to " + id, SCRIPT));
    if (answer.containsKey("error")) {
      throw new IllegalStateException("Firefox: " + answer.getString("error"));
    }
    return answer.getValue("value");
  }

  /** Closes the browser and removes its profile; the whole process tree is killed if it does not go in time. */
  @Override
  public void close() throws InterruptedException {
    try {
      commands.write("{\"op\":\"quit\"}\n".getBytes(StandardCharsets.UTF_8));
      commands.close();
    } catch (IOException alreadyGone) {
      // the driver exited: close() below still reaps whatever it left
    }
    driver.process().waitFor(10, TimeUnit.SECONDS);
    driver.close();
  }
}

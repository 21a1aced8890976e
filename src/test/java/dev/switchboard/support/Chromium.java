package dev.switchboard.support;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Collectors;

/** Debian's headless Chromium driven by Selenium, with the flags that work on this machine. */
public final class Chromium {
  private static final List<String> FLAGS = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
      "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
      "--disable-features=WebRtcHideLocalIpsWithMdns", "--window-size=1280,800");

  private Chromium() {
  }

  /** @param extraFlags e.g. {@code --ignore-certificate-errors} for Caddy's local CA */
  public static ChromeDriver start(String... extraFlags) throws IOException {
    Path profile = Files.createTempDirectory("switchboard-chromium");
    ChromeOptions options = new ChromeOptions().setBinary("/usr/bin/chromium")
        .addArguments(FLAGS).addArguments(extraFlags).addArguments("--user-data-dir=" + profile);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    return driver;
  }

  /** The page's console output since the last call, one line per entry, so a failing spec can say what the app saw. */
  public static String console(ChromeDriver driver) {
    try {
      return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
          .map(LogEntry::toString).collect(Collectors.joining("\n"));
    } catch (RuntimeException e) {
      return "(console unavailable: " + e.getMessage() + ")";
    }
  }
}

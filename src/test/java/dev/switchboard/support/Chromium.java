package dev.switchboard.support;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    return driver;
  }
}

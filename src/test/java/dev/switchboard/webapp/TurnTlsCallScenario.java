package dev.switchboard.webapp;

import dev.switchboard.support.Chromium;
import dev.switchboard.support.ExternalProcess;
import dev.switchboard.support.SelfSignedCertificate;
import dev.switchboard.support.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.openqa.selenium.chrome.ChromeDriver;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs inside a loopback-only network namespace behind {@link #FIREWALL} (see TurnTlsBrowserTest): a node
 * whose relay hands out stun:, turn: over UDP and TCP and, with {@code tls}, turns: URLs, and two browsers
 * joined to one room through the app page, relay-only. Prints one line {@code RESULT <json>} with what each
 * page saw, the relay's meters, the firewall's counters and the pages' own account, then exits.
 *
 * <p>Arguments: {@code tls} or {@code no-tls} (the relay's TLS front on or off), then how long to wait for
 * the call to connect, in milliseconds. Without TLS the whole wait is spent, to see that it never connects.
 */
public final class TurnTlsCallScenario {
  static final int TURN_PORT = 3478;
  static final int TLS_PORT = 5349;
  /** The relay's own UDP ports, and the only UDP allowed in the namespace: relay socket to relay socket. */
  static final int RELAY_MIN_PORT = 40000;
  static final int RELAY_MAX_PORT = 40999;
  /**
   * A network that lets only TCP through, except to the TURN port: UDP is dropped unless it goes from one
   * relay port to another (the relay forwarding between the two parties' allocations, inside the node), and
   * plain TURN over TCP (port 3478) is dropped too, over IPv4 and IPv6. What is left to the browsers is the
   * signalling WebSocket and TURN over TLS on 5349. Ephemeral ports are moved out of the relay range, so the
   * one UDP rule that accepts can match nothing but relay traffic.
   */
  static final List<String> FIREWALL = List.of(
      "echo '50000 60999' > /proc/sys/net/ipv4/ip_local_port_range",
      "iptables -w -A OUTPUT -p udp --sport " + RELAY_MIN_PORT + ":" + RELAY_MAX_PORT + " --dport " + RELAY_MIN_PORT
          + ":" + RELAY_MAX_PORT + " -j ACCEPT",
      "iptables -w -A OUTPUT -p udp -j DROP",
      "iptables -w -A OUTPUT -p tcp --dport " + TURN_PORT + " -j DROP",
      "ip6tables -w -A OUTPUT -p udp -j DROP",
      "ip6tables -w -A OUTPUT -p tcp --dport " + TURN_PORT + " -j DROP");

  private TurnTlsCallScenario() {
  }

  public static void main(String[] args) throws Exception {
    boolean tls = args[0].equals("tls");
    long connectMillis = Long.parseLong(args[1]);
    Vertx vertx = Vertx.vertx();
    List<ChromeDriver> browsers = Collections.synchronizedList(new ArrayList<>());
    long began = System.currentTimeMillis();
    JsonObject result = new JsonObject().put("tls", tls);
    JsonObject timings = new JsonObject(); // milliseconds since this JVM's main began, to see where time goes
    result.put("timings", timings);
    int exit = 1;
    Path dir = Files.createTempDirectory("switchboard-turns");
    try {
      Map<String, String> env = new HashMap<>(Map.of("SWITCHBOARD_TURN_SECRET", "turns-browser-secret", "SWITCHBOARD_ROOMS_TOPOLOGY", "mesh",
          "SWITCHBOARD_TURN_PORT", String.valueOf(TURN_PORT),
          "SWITCHBOARD_TURN_MIN_PORT", String.valueOf(RELAY_MIN_PORT),
          "SWITCHBOARD_TURN_MAX_PORT", String.valueOf(RELAY_MAX_PORT)));
      if (tls) {
        SelfSignedCertificate.write(dir.resolve("turn.crt"), dir.resolve("turn.key"));
        env.putAll(Map.of("SWITCHBOARD_TURN_TLS_CERT_FILE", dir.resolve("turn.crt").toString(),
            "SWITCHBOARD_TURN_TLS_KEY_FILE", dir.resolve("turn.key").toString(),
            "SWITCHBOARD_TURN_TLS_PORT", String.valueOf(TLS_PORT)));
      }
      try (TestNode node = TestNode.start(vertx, env)) {
        result.put("turnTlsPort", node.node().turnTlsPort());
        timings.put("nodeStarted", System.currentTimeMillis() - began);
        try {
          // both browsers start at once (each takes seconds on a loaded machine); each one started is kept to quit
          List<CompletableFuture<ChromeDriver>> starting = new ArrayList<>();
          for (String name : List.of("Ana", "Ben")) {
            starting.add(CompletableFuture.supplyAsync(() -> {
              try {
                // Chromium gathers no turns: candidate from a self-signed relay without this (error 701)
                ChromeDriver browser = Chromium.start("--ignore-certificate-errors");
                browsers.add(browser);
                browser.get("http://127.0.0.1:" + node.port() + "/r/turns-call?name=" + name + "&join=1&relay=1");
                return browser;
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }));
          }
          CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);
          browsers.clear();
          starting.forEach(f -> browsers.add(f.join())); // in name order: page 0 is Ana's
          long started = System.currentTimeMillis();
          timings.put("pagesOpened", started - began);
          long deadline = started + connectMillis;
          JsonArray first = looks(browsers);
          while (!flowing(first) && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
            first = looks(browsers);
          }
          if (flowing(first)) {
            result.put("connectedAfterMillis", System.currentTimeMillis() - started);
            Thread.sleep(2000); // a second look: frames and bytes keep coming
          }
          result.put("first", first).put("second", looks(browsers)).put("metrics", metrics(node.node().metricsPort()));
          timings.put("looked", System.currentTimeMillis() - began);
        } finally {
          result.put("pages", pages(browsers)); // while the node is still up, as the pages see the call
        }
      }
      exit = 0;
    } catch (Exception | AssertionError e) {
      result.put("error", e.toString());
    } finally {
      for (ChromeDriver browser : List.copyOf(browsers)) {
        try {
          browser.quit();
        } catch (RuntimeException e) {
          result.put("quitError", String.valueOf(e)); // the result line must still be printed
        }
      }
      vertx.close();
      result.put("iptables", firewallCounters("iptables")).put("ip6tables", firewallCounters("ip6tables"));
      timings.put("closed", System.currentTimeMillis() - began);
    }
    System.out.println("RESULT " + result.encode());
    System.exit(exit);
  }

  /** Each page's own account of itself and the call, and its console since the start. */
  private static JsonArray pages(List<ChromeDriver> browsers) {
    JsonArray pages = new JsonArray();
    for (ChromeDriver browser : List.copyOf(browsers)) {
      pages.add(new JsonObject().put("app", appState(browser)).put("console", Chromium.console(browser)));
    }
    return pages;
  }

  /** Each page's peers (AppPage.peers), one array per browser. */
  private static JsonArray looks(List<ChromeDriver> browsers) {
    JsonArray looks = new JsonArray();
    for (ChromeDriver browser : browsers) {
      looks.add(new JsonArray(AppPage.peers(browser).stream().map(JsonObject::new).toList()));
    }
    return looks;
  }

  private static boolean flowing(JsonArray looks) {
    return looks.stream().allMatch(look -> ((JsonArray) look).size() == 1 && "connected".equals(
        ((JsonArray) look).getJsonObject(0).getString("state"))
        && ((JsonArray) look).getJsonObject(0).getLong("framesDecoded") > 0);
  }

  /** The relay's meters as GET /metrics serves them: name (with labels) to value. */
  private static JsonObject metrics(int port) throws Exception {
    String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
        + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    JsonObject meters = new JsonObject();
    text.lines().filter(l -> l.startsWith("switchboard_turn_")).forEach(l -> {
      int space = l.lastIndexOf(' ');
      meters.put(l.substring(0, space), Double.parseDouble(l.substring(space + 1)));
    });
    return meters;
  }

  /** What the app knows (as CallInBrowsersTest prints it), so a failure shows both sides of the call. */
  private static String appState(ChromeDriver browser) {
    try {
      return String.valueOf(browser.executeAsyncScript("const s = window.switchboard; if (!s) return arguments[0](null);"
          + "s.peers().then((peers) => arguments[0](JSON.stringify({me: s.peerId(), status: s.status(), peers})))"));
    } catch (RuntimeException e) {
      return "(unavailable: " + e.getMessage() + ")";
    }
  }

  /** The OUTPUT chain with exact packet counts per rule: what the firewall let through and dropped. */
  private static String firewallCounters(String command) {
    try {
      ExternalProcess.Result listed = ExternalProcess.run(Duration.ofSeconds(10), command, "-w", "-nvxL", "OUTPUT");
      return listed.output();
    } catch (Exception e) {
      return "(" + command + " unavailable: " + e + ")";
    }
  }
}

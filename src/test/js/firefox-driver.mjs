// Firefox ESR remote-controlled over WebDriver BiDi (puppeteer-core, no geckodriver), for the Java specs
// (dev.switchboard.support.Firefox). One command per line on stdin, one JSON line per event on stdout:
//   {"id":1,"op":"goto","url":"http://…"}                 -> {"id":1,"value":null}
//   {"id":2,"op":"script","script":"…","args":[…]}        -> {"id":2,"value":…} or {"id":2,"error":"…"}
//   {"op":"quit"}                                         -> the browser closes and this process exits 0
// A script is a Selenium executeAsyncScript body: it reads arguments[0..n-1] and calls the callback passed as
// the last argument with its result, so the same client scripts drive Chromium (Selenium) and Firefox.
// Unprompted lines: {"ready":"<browser version>"} once the browser is up, {"console":"…"} per console message.
// An optional first argument is a JSON object of further Firefox prefs, e.g. '{"media.peerconnection.ice.loopback":true}'.
import puppeteer from "puppeteer-core";
import { createInterface } from "node:readline";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const emit = (event) => process.stdout.write(JSON.stringify(event) + "\n");

const profile = mkdtempSync(join(tmpdir(), "switchboard-firefox-"));
const browser = await puppeteer.launch({
  browser: "firefox",
  protocol: "webDriverBiDi",
  executablePath: process.env.FIREFOX_BIN || "/usr/bin/firefox-esr",
  headless: true,
  userDataDir: profile,
  extraPrefsFirefox: {
    // fake camera and microphone, granted without a prompt
    "media.navigator.streams.fake": true,
    "media.navigator.permission.disabled": true,
    // real host addresses in candidates instead of mDNS names nobody in a test namespace can resolve
    "media.peerconnection.ice.obfuscate_host_addresses": false,
    ...JSON.parse(process.argv[2] || "{}"),
  },
});
const page = await browser.newPage();
page.on("console", (message) => emit({ console: `${message.type()}: ${message.text()}` }));
page.on("pageerror", (error) => emit({ console: `pageerror: ${error}` }));
emit({ ready: await browser.version() });

async function runAsyncScript(script, args) {
  return page.evaluate((body, values) => {
    const AsyncFunction = (async function () {}).constructor;
    const run = new AsyncFunction(body);
    return new Promise((resolve, reject) => {
      run(...values, resolve).catch(reject);
    });
  }, script, args);
}

async function execute(command) {
  switch (command.op) {
    case "goto":
      await page.goto(command.url);
      return null;
    case "script":
      return runAsyncScript(command.script, command.args || []);
    default:
      throw new Error("unknown op " + command.op);
  }
}

let quitting = null;
function quit() {
  quitting ??= browser.close().catch(() => {}).then(() => {
    rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
    process.exit(0);
  });
  return quitting;
}

// one command at a time, in order, as a WebDriver client would send them
let previous = Promise.resolve();
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (!line.trim()) return;
  const command = JSON.parse(line);
  previous = previous.then(async () => {
    if (command.op === "quit") {
      await quit();
      return;
    }
    try {
      emit({ id: command.id, value: (await execute(command)) ?? null });
    } catch (error) {
      emit({ id: command.id, error: String((error && error.stack) || error) });
    }
  });
});
// the Java side went away without a quit: do not leave a browser behind
lines.on("close", () => previous.then(quit));

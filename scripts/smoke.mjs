// End-to-end check of a running Switchboard deployment; see scripts/smoke.sh.
import { Socket } from "phoenix";
import WebSocket from "ws";
import { allocate } from "./turn-probe.mjs";

const base = process.argv[2].replace(/\/+$/, "");
const requireTurn = process.env.SMOKE_REQUIRE_TURN === "1";
const socketUrl = base.replace(/^http/, "ws") + "/socket";
const room = `smoke-${Math.random().toString(36).slice(2, 10)}`;
let failures = 0;

const report = (status, step, detail) => {
  if (status === "FAIL") failures++;
  console.log(`${status.padEnd(4)} ${step.padEnd(10)} ${detail}`);
};

const withTimeout = (promise, ms, what) => Promise.race([promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))]);

async function step(name, fn) {
  try {
    report("PASS", name, await withTimeout(fn(), 10000, name));
  } catch (e) {
    report("FAIL", name, e.message);
  }
}

async function getJson(path) {
  const response = await fetch(base + path);
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  return { status: response.status, body, text };
}

function join(channel) {
  return new Promise((resolve, reject) => channel.join()
    .receive("ok", resolve)
    .receive("error", (e) => reject(new Error(`join ${channel.topic} refused: ${JSON.stringify(e)}`)))
    .receive("timeout", () => reject(new Error(`join ${channel.topic} timed out`))));
}

function push(channel, event, payload) {
  return new Promise((resolve, reject) => channel.push(event, payload)
    .receive("ok", resolve)
    .receive("error", (e) => reject(new Error(`${event} refused: ${JSON.stringify(e)}`)))
    .receive("timeout", () => reject(new Error(`${event} timed out`))));
}

async function enter() {
  const socket = new Socket(socketUrl, { transport: WebSocket, reconnectAfterMs: () => 60000 });
  let lastError = null;
  socket.onError((e) => { lastError = e; });
  socket.connect();
  const roomChannel = socket.channel(`room:${room}`, { name: "smoke" });
  const reply = await join(roomChannel).catch((e) => {
    throw new Error(`${e.message}${lastError ? ` (socket: ${lastError.message || lastError.type || lastError})` : ""}`);
  });
  const peerChannel = socket.channel(`peer:${reply.peer_id}`, {});
  await join(peerChannel);
  return { socket, roomChannel, peerChannel, reply };
}

let iceServers = null;
const sockets = [];

await step("health", async () => {
  const health = await getJson("/health");
  if (health.status !== 200 || health.body?.status !== "ok") throw new Error(`/health: ${health.status} ${health.text}`);
  const ready = await getJson("/ready");
  if (ready.status !== 200 || ready.body?.status !== "ready") {
    throw new Error(`/ready: ${ready.status} ${ready.text.slice(0, 200)}`);
  }
  return `alive and ready (node ${health.body.node})`;
});

await step("web-app", async () => {
  const response = await fetch(`${base}/r/${room}`);
  const html = await response.text();
  if (response.status !== 200 || !html.includes("<html")) throw new Error(`/r/${room}: ${response.status}`);
  return `/r/${room} serves the app`;
});

await step("signaling", async () => {
  const a = await enter();
  sockets.push(a.socket);
  const b = await enter();
  sockets.push(b.socket);
  iceServers = b.reply.ice_servers;
  if (!b.reply.peers.includes(a.reply.peer_id)) throw new Error(`second peer was told ${JSON.stringify(b.reply.peers)}`);
  const offer = new Promise((resolve) => b.peerChannel.on("signal:offer", resolve));
  await push(a.roomChannel, "signal:offer", { to: b.reply.peer_id, body: { type: "offer", sdp: "v=0 smoke" } });
  const received = await offer;
  if (received.from !== a.reply.peer_id || received.body.sdp !== "v=0 smoke") {
    throw new Error(`offer arrived as ${JSON.stringify(received)}`);
  }
  return `two sockets joined room:${room}, offer relayed ${a.reply.peer_id.slice(0, 6)}… -> ${b.reply.peer_id.slice(0, 6)}…`;
});

await step("ice", async () => {
  const api = await getJson("/api/ice-servers");
  if (api.status === 200 && Array.isArray(api.body?.ice_servers)) iceServers = api.body.ice_servers;
  if (!Array.isArray(iceServers)) throw new Error("no ice_servers in the join reply");
  const urls = iceServers.flatMap((s) => [].concat(s.urls || s.url || []));
  return urls.length ? `handed out: ${urls.join(", ")}` : "handed out: none (ice_servers is empty)";
});

const turnServers = (iceServers || []).flatMap((s) => [].concat(s.urls || []).map((url) => ({ url, s })))
  .filter(({ url }) => /^turn:/.test(url));
if (turnServers.length === 0) {
  report(requireTurn ? "FAIL" : "SKIP", "turn", "the deployment hands out no TURN server");
}
for (const { url, s } of turnServers) {
  await step("turn", async () => `${url}: relayed address ${await allocate(url, s.username, s.credential)}`);
}

sockets.forEach((s) => s.disconnect());
console.log(failures === 0 ? "smoke: all checks passed" : `smoke: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);

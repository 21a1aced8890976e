// Two official phoenix.js sockets (npm "phoenix", ws as transport) hold the signaling exchange of
// protocol.md §3 against a Switchboard node. Prints one JSON line of results; exits non-zero on failure.
import { Socket } from "phoenix";
import WebSocket from "ws";

const endpoint = process.argv[2];
const room = `compat-${Date.now()}`;
const fail = (why) => { console.error(`FAIL ${why}`); process.exit(1); };
setTimeout(() => fail("timeout"), 15000).unref();

function connect() {
  const socket = new Socket(endpoint, { transport: WebSocket, heartbeatIntervalMs: 1000 });
  socket.connect();
  return socket;
}

function join(channel) {
  return new Promise((resolve, reject) => channel.join()
    .receive("ok", resolve)
    .receive("error", (e) => reject(new Error(`join ${channel.topic}: ${JSON.stringify(e)}`)))
    .receive("timeout", () => reject(new Error(`join ${channel.topic} timed out`))));
}

function push(channel, event, payload) {
  return new Promise((resolve, reject) => channel.push(event, payload)
    .receive("ok", resolve)
    .receive("error", (e) => reject(new Error(`${event}: ${JSON.stringify(e)}`)))
    .receive("timeout", () => reject(new Error(`${event} timed out`))));
}

async function enter(socket) {
  const roomChannel = socket.channel(`room:${room}`, { name: "compat" });
  const roomPeers = new Promise((resolve) => roomChannel.on("room:peers", resolve));
  const reply = await join(roomChannel);
  const peerChannel = socket.channel(`peer:${reply.peer_id}`, {});
  await join(peerChannel);
  return { roomChannel, peerChannel, reply, roomPeers: await roomPeers };
}

try {
  const socketA = connect();
  const socketB = connect();
  const a = await enter(socketA);
  const joinedSeenByA = new Promise((resolve) => a.roomChannel.on("peer:joined", resolve));
  const b = await enter(socketB);
  const joined = await joinedSeenByA;

  const offerAtB = new Promise((resolve) => b.peerChannel.on("signal:offer", resolve));
  const answerAtA = new Promise((resolve) => a.peerChannel.on("signal:answer", resolve));
  await push(a.roomChannel, "signal:offer", { to: b.reply.peer_id, body: { type: "offer", sdp: "v=0 compat" } });
  const offer = await offerAtB;
  await push(b.roomChannel, "signal:answer", { to: offer.from, body: { type: "answer", sdp: "v=0 answer" } });
  const answer = await answerAtA;

  let refused = null;
  await push(a.roomChannel, "signal:offer", { to: "nobody", body: {} }).catch((e) => { refused = e.message; });
  const foreign = await join(socketB.channel(`peer:${a.reply.peer_id}`, {})).then(() => "joined", (e) => e.message);

  const leftSeenByB = new Promise((resolve) => b.roomChannel.on("peer:left", resolve));
  await new Promise((resolve) => a.roomChannel.leave().receive("ok", resolve));
  const left = await leftSeenByB;

  console.log(JSON.stringify({
    a: a.reply.peer_id, b: b.reply.peer_id,
    peersSeenByB: b.reply.peers, roomPeersOfB: b.roomPeers.peers, iceServers: b.reply.ice_servers,
    joinedSeenByA: joined.peer_id,
    offerFrom: offer.from, offerBody: offer.body,
    answerFrom: answer.from, answerBody: answer.body,
    refused, foreign, leftSeenByB: left.peer_id,
  }));
  socketA.disconnect();
  socketB.disconnect();
  process.exit(0);
} catch (e) {
  fail(e.message);
}

// Switchboard web app: lobby, then a mesh call over the signaling protocol of protocol.md §3.
// Display names and mute state travel as targeted signals of kind "state" ({name, audio, video}).
import { Socket } from "/vendor/phoenix.mjs";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const forceRelay = params.get("relay") === "1"; // relay-only ICE (strict networks, tests)

const WORDS = ["amber", "brisk", "cedar", "delta", "ember", "fjord", "grove", "harbor", "indigo", "juniper",
  "kestrel", "lumen", "maple", "nova", "orbit", "pine", "quartz", "river", "sierra", "tundra"];
const randomRoom = () => `${WORDS[Math.floor(Math.random() * WORDS.length)]}-${WORDS[Math.floor(Math.random() * WORDS.length)]}-${Math.floor(Math.random() * 90 + 10)}`;

const state = {
  socket: null, roomChannel: null, peerChannel: null, peerId: null, room: null, name: null,
  iceServers: [], localStream: null, screenTrack: null, audio: true, video: true,
  peers: new Map(), // id -> {pc, polite, makingOffer, ignoreOffer, queued, name, audio, video, tile, restartTimer}
  // perfect negotiation, counted for the browser tests: offers that collided with our own (glare), those
  // ignored as the impolite side, and those accepted as the polite side by rolling our own offer back
  negotiation: { collisions: 0, ignoredOffers: 0, rollbacks: 0 },
};

// ---------- UI helpers ----------
function banner(text, error = false) {
  const el = $("banner");
  el.hidden = !text;
  el.textContent = text || "";
  el.classList.toggle("error", error);
}

function tileFor(id, label, local = false) {
  const node = $("tile-template").content.firstElementChild.cloneNode(true);
  node.dataset.peer = id;
  node.classList.toggle("local", local);
  node.querySelector(".name").textContent = label;
  const video = node.querySelector("video");
  if (local) {
    video.muted = true;
  } else {
    const unmute = node.querySelector(".unmute");
    unmute.addEventListener("click", () => { video.muted = false; video.play(); unmute.hidden = true; });
  }
  $("tiles").append(node);
  return node;
}

function showFlags(tile, audio, video) {
  tile.querySelector(".muted-flag").hidden = audio;
  tile.querySelector(".video-flag").hidden = video;
  tile.classList.toggle("video-off", !video);
  tile.dataset.audio = String(audio);
  tile.dataset.video = String(video);
}

// ---------- media ----------
async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  for (const [select, kind] of [[$("camera"), "videoinput"], [$("microphone"), "audioinput"]]) {
    select.replaceChildren(...devices.filter((d) => d.kind === kind)
      .map((d, i) => new Option(d.label || `${kind} ${i + 1}`, d.deviceId)));
  }
}

async function openMedia() {
  const camera = $("camera").value;
  const microphone = $("microphone").value;
  try {
    state.localStream?.getTracks().forEach((t) => t.stop());
    state.localStream = await navigator.mediaDevices.getUserMedia({
      audio: microphone ? { deviceId: { exact: microphone } } : true,
      video: { ...(camera ? { deviceId: { exact: camera } } : {}), width: 640, height: 480, frameRate: 15 },
    });
    $("preview").srcObject = state.localStream;
    banner("");
  } catch (e) {
    state.localStream = new MediaStream();
    banner(e.name === "NotAllowedError" ? "Camera blocked: allow camera and microphone for this site, then reload."
      : `No camera or microphone (${e.name}); you can still join and watch.`, true);
  }
}

// ---------- signaling ----------
function signal(kind, to, body) {
  state.roomChannel.push(`signal:${kind}`, { to, body })
    .receive("error", (e) => console.warn(`signal:${kind} to ${to} refused`, e));
}

function join() {
  state.socket = new Socket("/socket", { params: {} });
  state.socket.onOpen(() => banner(""));
  state.socket.onError(() => banner("Connection lost, reconnecting…", true));
  state.socket.connect();
  state.roomChannel = state.socket.channel(`room:${state.room}`, () => ({ name: state.name }));
  state.roomChannel.on("room:peers", ({ peers }) => reconcile(peers));
  // the newcomer makes the offers; members only learn of it here
  state.roomChannel.on("peer:joined", () => {});
  state.roomChannel.on("peer:left", ({ peer_id }) => dropPeer(peer_id));
  for (const kind of ["offer", "answer", "candidate", "state"]) {
    state.roomChannel.on(`signal:${kind}`, (msg) => onSignal(kind, msg));
  }
  state.roomChannel.join()
    .receive("ok", onJoined)
    .receive("error", ({ reason }) => {
      if (reason === "room_full") {
        banner("This room is full (at most 6 people).", true);
        state.roomChannel.leave();
      } else {
        banner(`Cannot join: ${reason}`, true);
      }
    });
}

function onJoined({ peer_id, peers, ice_servers }) {
  state.iceServers = ice_servers || [];
  if (state.peerId !== peer_id) {
    // a new socket is a new peer: everything negotiated under the old id is gone
    for (const id of [...state.peers.keys()]) dropPeer(id);
    state.peerChannel?.leave();
    state.peerId = peer_id;
    state.peerChannel = state.socket.channel(`peer:${peer_id}`, {});
    for (const kind of ["offer", "answer", "candidate", "state"]) {
      state.peerChannel.on(`signal:${kind}`, (msg) => onSignal(kind, msg));
    }
    state.peerChannel.join();
  }
  reconcile(peers);
  // the newcomer offers to everyone already there
  for (const id of peers) ensurePeer(id, true);
}

function reconcile(peers) {
  for (const id of [...state.peers.keys()]) {
    if (!peers.includes(id)) dropPeer(id);
  }
}

// ---------- peer connections (perfect negotiation) ----------
function ensurePeer(id, offer = false) {
  let peer = state.peers.get(id);
  if (peer) return peer;
  const pc = new RTCPeerConnection({ iceServers: state.iceServers, iceTransportPolicy: forceRelay ? "relay" : "all" });
  peer = { pc, tracksAdded: false, polite: state.peerId < id, makingOffer: false, ignoreOffer: false, queued: [], name: id.slice(0, 6),
    audio: true, video: true, tile: tileFor(id, id.slice(0, 6)), restartTimer: null };
  state.peers.set(id, peer);
  const video = peer.tile.querySelector("video");
  pc.ontrack = ({ streams: [stream] }) => {
    if (video.srcObject !== stream) {
      video.srcObject = stream;
      video.play().catch(() => { video.muted = true; video.play(); peer.tile.querySelector(".unmute").hidden = false; });
    }
  };
  pc.onicecandidate = ({ candidate }) => candidate && signal("candidate", id, candidate.toJSON());
  pc.onnegotiationneeded = async () => {
    try {
      peer.makingOffer = true;
      await pc.setLocalDescription();
      signal(pc.localDescription.type, id, pc.localDescription.toJSON());
    } catch (e) {
      console.warn("negotiation failed", e);
    } finally {
      peer.makingOffer = false;
    }
  };
  pc.onconnectionstatechange = () => {
    peer.tile.querySelector(".state").textContent = pc.connectionState;
    peer.tile.dataset.state = pc.connectionState;
  };
  pc.oniceconnectionstatechange = () => {
    clearTimeout(peer.restartTimer);
    if (pc.iceConnectionState === "failed") pc.restartIce();
    if (pc.iceConnectionState === "disconnected") peer.restartTimer = setTimeout(() => pc.restartIce(), 4000);
  };
  if (offer) addLocalTracks(peer);
  signal("state", id, { name: state.name, audio: state.audio, video: state.video });
  return peer;
}

/** The offerer adds tracks at once; the answerer after the remote offer, so its transceivers are reused. */
function addLocalTracks(peer) {
  if (peer.tracksAdded) return;
  peer.tracksAdded = true;
  for (const track of state.localStream ? state.localStream.getTracks() : []) {
    const sending = track.kind === "video" && state.screenTrack ? state.screenTrack : track;
    peer.pc.addTrack(sending, state.localStream);
  }
}

async function onSignal(kind, { from, body }) {
  if (!from || from === state.peerId) return;
  const peer = ensurePeer(from);
  const pc = peer.pc;
  try {
    if (kind === "state") {
      peer.name = String(body.name || from.slice(0, 6)).slice(0, 40);
      peer.tile.querySelector(".name").textContent = peer.name;
      showFlags(peer.tile, body.audio !== false, body.video !== false);
    } else if (kind === "offer" || kind === "answer") {
      const collision = kind === "offer" && (peer.makingOffer || pc.signalingState !== "stable");
      peer.ignoreOffer = !peer.polite && collision;
      if (collision) state.negotiation.collisions++;
      if (peer.ignoreOffer) {
        state.negotiation.ignoredOffers++;
        return;
      }
      if (collision) state.negotiation.rollbacks++; // setRemoteDescription rolls our own offer back
      await pc.setRemoteDescription(body);
      for (const candidate of peer.queued.splice(0)) await pc.addIceCandidate(candidate);
      if (kind === "offer") {
        addLocalTracks(peer);
        await pc.setLocalDescription();
        signal(pc.localDescription.type, from, pc.localDescription.toJSON());
      }
    } else if (kind === "candidate") {
      if (!pc.remoteDescription) {
        peer.queued.push(body); // candidates may arrive before the description they belong to
      } else {
        await pc.addIceCandidate(body).catch((e) => { if (!peer.ignoreOffer) throw e; });
      }
    }
  } catch (e) {
    console.warn(`signal:${kind} from ${from} failed`, e);
  }
}

function dropPeer(id) {
  const peer = state.peers.get(id);
  if (!peer) return;
  clearTimeout(peer.restartTimer);
  peer.pc.close();
  peer.tile.remove();
  state.peers.delete(id);
}

// ---------- controls ----------
function broadcastState() {
  for (const id of state.peers.keys()) signal("state", id, { name: state.name, audio: state.audio, video: state.video });
  showFlags(document.querySelector(".tile.local"), state.audio, state.video);
}

function toggle(kind) {
  state[kind] = !state[kind];
  state.localStream.getTracks().filter((t) => t.kind === kind).forEach((t) => { t.enabled = state[kind]; });
  const button = $(kind === "audio" ? "toggle-audio" : "toggle-video");
  button.setAttribute("aria-pressed", String(!state[kind]));
  button.textContent = kind === "audio" ? (state.audio ? "Mute" : "Unmute") : (state.video ? "Camera off" : "Camera on");
  broadcastState();
}

async function replaceVideo(track) {
  for (const { pc } of state.peers.values()) {
    const sender = pc.getSenders().find((s) => s.track?.kind === "video");
    if (sender) await sender.replaceTrack(track);
  }
  document.querySelector(".tile.local video").srcObject = track === state.screenTrack
    ? new MediaStream([track]) : state.localStream;
}

async function shareScreen() {
  if (state.screenTrack) return stopSharing();
  try {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true });
    state.screenTrack = display.getVideoTracks()[0];
    state.screenTrack.onended = stopSharing;
    await replaceVideo(state.screenTrack);
    $("share").textContent = "Stop sharing";
  } catch (e) {
    banner(`Screen sharing unavailable (${e.name})`, true);
  }
}

async function stopSharing() {
  const track = state.screenTrack;
  state.screenTrack = null;
  track?.stop();
  await replaceVideo(state.localStream.getVideoTracks()[0] || null);
  $("share").textContent = "Share screen";
}

function leave() {
  for (const id of [...state.peers.keys()]) dropPeer(id);
  state.localStream?.getTracks().forEach((t) => t.stop());
  state.screenTrack?.stop();
  state.roomChannel?.leave();
  state.socket?.disconnect();
  location.href = "/";
}

// ---------- quality badges ----------
async function updateQuality() {
  for (const peer of state.peers.values()) {
    const stats = await peer.pc.getStats().catch(() => null);
    if (!stats) continue;
    let rtt = null; let lost = 0; let received = 0;
    stats.forEach((s) => {
      if (s.type === "candidate-pair" && s.nominated && s.currentRoundTripTime !== undefined) rtt = s.currentRoundTripTime;
      if (s.type === "inbound-rtp") { lost += s.packetsLost || 0; received += s.packetsReceived || 0; }
    });
    const loss = received + lost ? (100 * lost) / (received + lost) : 0;
    peer.tile.querySelector(".quality").textContent = rtt === null ? "" : `RTT ${Math.round(rtt * 1000)} ms · loss ${loss.toFixed(1)}%`;
  }
}

// What the browser tests read: per remote peer, its name, flags and inbound video progress.
window.switchboard = {
  get peerId() { return state.peerId; },
  async peers() {
    const out = [];
    for (const [id, peer] of state.peers) {
      let framesDecoded = 0; let bytesReceived = 0; let pairId = null;
      const stats = await peer.pc.getStats();
      stats.forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "video") { framesDecoded = s.framesDecoded || 0; bytesReceived = s.bytesReceived || 0; }
        if (s.type === "transport" && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
      });
      const pair = pairId && stats.get(pairId);
      const local = pair && stats.get(pair.localCandidateId);
      out.push({ id, name: peer.name, audio: peer.tile.dataset.audio !== "false", video: peer.tile.dataset.video !== "false",
        state: peer.pc.connectionState, framesDecoded, bytesReceived, candidateType: local ? local.candidateType : null,
        signalingState: peer.pc.signalingState,
        localIceUfrag: /a=ice-ufrag:(\S+)/.exec(peer.pc.localDescription?.sdp || "")?.[1] ?? null });
    }
    return out;
  },
  /** Perfect-negotiation counters since the page loaded (a copy). */
  get negotiation() { return { ...state.negotiation }; },
  dropSocket() { state.socket.conn.close(); },
  /** Restarts ICE on every connection, as the app does when ICE fails; returns when (Date.now()). */
  restartIce() {
    for (const { pc } of state.peers.values()) pc.restartIce();
    return Date.now();
  },
};

// ---------- start ----------
async function enterRoom() {
  state.room = $("room").value;
  state.name = $("name").value.trim() || "Guest";
  history.replaceState(null, "", `/r/${encodeURIComponent(state.room)}${forceRelay ? "?relay=1" : ""}`);
  $("lobby").hidden = true;
  $("room-view").hidden = false;
  if (!state.localStream) await openMedia();
  const local = tileFor("local", `${state.name} (you)`, true);
  local.querySelector("video").srcObject = state.localStream;
  showFlags(local, true, true);
  join();
  setInterval(updateQuality, 2000);
}

async function start() {
  const match = location.pathname.match(/^\/r\/([A-Za-z0-9_-]{1,64})/);
  $("room").value = match ? match[1] : randomRoom();
  $("name").value = params.get("name") || localStorage.getItem("switchboard.name") || "";
  $("join-form").addEventListener("submit", (e) => {
    e.preventDefault();
    localStorage.setItem("switchboard.name", $("name").value.trim());
    enterRoom();
  });
  $("toggle-audio").addEventListener("click", () => toggle("audio"));
  $("toggle-video").addEventListener("click", () => toggle("video"));
  $("share").addEventListener("click", shareScreen);
  $("copy-link").addEventListener("click", () => navigator.clipboard?.writeText(`${location.origin}/r/${state.room}`));
  $("leave").addEventListener("click", leave);
  window.addEventListener("pagehide", () => state.socket?.disconnect());
  if (match && params.get("join") === "1" && params.get("name")) {
    await enterRoom();
    return;
  }
  $("lobby").hidden = false;
  await openMedia();
  await listDevices();
  $("camera").addEventListener("change", openMedia);
  $("microphone").addEventListener("change", openMedia);
}

start();

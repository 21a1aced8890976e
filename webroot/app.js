// Switchboard web app: lobby, then a call over the signaling protocol of docs/protocol.md: a mesh (a connection
// to each peer), or in an SFU room (the join reply's topology) one connection to the media node (sfu-room.js).
// Who a peer is (name, viewer or not, connected or not) comes from the server's member objects (§5). Mute and
// camera flags travel peer to peer as targeted signals of kind "state" ({name, audio, video}); their name is
// only shown while the server has sent no member object with a name (servers older than §5).
import { Socket } from "/vendor/phoenix.mjs";
import { SfuRoom } from "/sfu-room.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const forceRelay = params.get("relay") === "1"; // relay-only ICE (strict networks, tests)
// camera size, e.g. ?video=320x240 (weak machines and uplinks, tests with many browsers); default 640x480
const [captureWidth, captureHeight] = /^(\d{2,4})x(\d{2,4})$/.exec(params.get("video") || "")?.slice(1).map(Number)
  || [640, 480];
const ROOM_ID = /^[A-Za-z0-9_-]{1,64}$/;

// In open mode whoever knows a room's name can join it, so the names the lobby suggests must not be
// guessable: 13 letters of a 32-letter alphabet (no l, o, 0 or 1 to misread) carry 65 random bits.
const ROOM_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";
function randomRoom() {
  // 256 is a multiple of 32, so keeping 5 bits of each byte leaves every letter equally likely
  const letters = Array.from(crypto.getRandomValues(new Uint8Array(13)), (b) => ROOM_ALPHABET[b & 31]).join("");
  return `${letters.slice(0, 4)}-${letters.slice(4, 8)}-${letters.slice(8)}`;
}

const state = {
  socket: null, roomChannel: null, peerChannel: null, peerId: null, room: null, name: null,
  token: null, claims: null, viewer: false, // the access token of the link (§4), its payload, publish:false
  resumeToken: null, // from the latest room join reply; a reconnect presents it to keep the peer id (§7)
  iceServers: [], localStream: null, screenTrack: null, audio: true, video: true,
  peers: new Map(), // id -> {pc, polite, makingOffer, ignoreOffer, queued, name, statedName, tile, restartTimer}
  members: new Map(), // id -> the member object of §5 as the server last described it
  peerStates: new Map(), // id -> "connected" | "disconnected": the last peer:state (or member state) seen
  departures: [], // every peer:left since load, {peer_id, reason}
  // perfect negotiation, counted for the browser tests: offers that collided with our own (glare), those
  // ignored as the impolite side, and those accepted as the polite side by rolling our own offer back
  negotiation: { collisions: 0, ignoredOffers: 0, rollbacks: 0 },
  // also for the tests, which check that a signaling blip renegotiates nothing and rebuilds no tile: per
  // peer id (kept after the peer is gone) negotiationneeded and signalingstatechange events, and tile churn
  perPeer: new Map(),
  tiles: { created: 0, removed: 0 },
  joins: 0, socketDown: false, everOpened: false, failedConnects: 0, iceRefresh: null, qualityTimer: null,
  ended: null, // why this page stopped taking part: a key of PAGES, or "left"
  topology: null, // "mesh" or "sfu", from the latest join reply (servers before rooms.topology: mesh)
  sfu: null, // the SfuRoom of an SFU room
};

// ---------- UI helpers ----------
/** One banner at a time; kind lets a later event clear only the message it is about; action: {label, run}. */
function banner(text, error = false, kind = "info", action = null) {
  const el = $("banner");
  el.hidden = !text;
  el.textContent = text || "";
  el.classList.toggle("error", error);
  el.dataset.kind = text ? kind : "";
  const button = $("banner-action");
  button.hidden = !text || !action;
  button.textContent = action?.label || "";
  button.onclick = action ? () => action.run() : null;
}

function clearBanner(kind) {
  if ($("banner").dataset.kind === kind) banner("");
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

function showViewer(tile, viewer) {
  tile.classList.toggle("viewer", viewer);
  tile.querySelector(".role").hidden = !viewer;
}

// Pages that replace the call for good. A refused WebSocket upgrade is invisible to page scripts (phoenix.js
// would just keep reconnecting), so every refusal the page can foresee or learn of ends here, with no retry.
const PAGES = {
  expired: ["Your invitation link has expired", "Ask the person who invited you for a new link."],
  early: ["Your invitation link is not valid yet", "Open it again closer to the time of the call."],
  invalid: ["This invitation link is not valid", "It may have been cut short when it was copied. Ask for a new link."],
  unauthorized: ["You are not invited to this room", "Your invitation is for another room, or does not let you join this one."],
  replaced: ["You joined this room from another tab or device", "This tab has left the call.", "Use this tab instead"],
  removed: ["You were removed from the room", "Someone running the call took you out of it."],
  full: ["This room is full", "No one else can join it now.", "Try again"],
  closed: ["You are no longer in this room", "The server ended your part in the call.", "Join again"],
};

function endPage(kind) {
  if (state.ended) return;
  state.ended = kind;
  state.socketDown = false;
  clearInterval(state.qualityTimer);
  state.sfu?.stop();
  for (const id of [...state.peers.keys()]) dropPeer(id);
  state.localStream?.getTracks().forEach((t) => t.stop());
  state.screenTrack?.stop();
  // no phx_leave needed: the server has already let us go, or never let us in (callers leave a refused channel)
  state.socket?.disconnect();
  const [title, text, action] = PAGES[kind];
  banner("");
  $("lobby").hidden = true;
  $("room-view").hidden = true;
  $("notice-title").textContent = title;
  $("notice-text").textContent = text;
  const button = $("notice-action");
  button.hidden = !action;
  if (action) {
    button.textContent = action;
    // the token is still in sessionStorage, so a reload joins again with it (after "replaced": here, not there)
    button.onclick = () => location.reload();
  }
  $("notice").hidden = false;
  $("notice").dataset.kind = kind;
  document.title = `${title} · Switchboard`;
}

// ---------- access token (protocol.md §4) ----------
const tokenKey = (room) => `switchboard.token.${room}`;

/** sessionStorage may be disabled (privacy settings); the token then only lasts as long as the page. */
function session(op) {
  try {
    return op(sessionStorage);
  } catch {
    return null;
  }
}

/** The link's token (`#token=...`), taken out of the address bar so it is not copied, bookmarked or shown. */
function tokenFromLink() {
  if (!location.hash) return null;
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (!fragment.has("token")) return null;
  history.replaceState(history.state, "", location.pathname + location.search);
  return fragment.get("token").trim() || null;
}

/** The JWT's payload, read without checking the signature: only to foresee what the server will refuse. */
function decodeClaims(token) {
  try {
    const part = token.split(".")[1];
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))));
    return claims && typeof claims === "object" && !Array.isArray(claims) ? claims : null;
  } catch {
    return null;
  }
}

/** Why the server would refuse the token now, as far as the page can tell without the key; null if it may not. */
function tokenProblem() {
  if (!state.token) return null;
  const claims = state.claims;
  if (!claims || typeof claims.exp !== "number") return "invalid"; // exp is required (§4)
  const now = Date.now() / 1000;
  if (claims.exp <= now) return "expired";
  if (typeof claims.nbf === "number" && claims.nbf > now) return "early";
  return null;
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
      video: { ...(camera ? { deviceId: { exact: camera } } : {}), width: captureWidth, height: captureHeight,
        frameRate: 15 },
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

function connect() {
  const options = {
    // evaluated at every (re)connect, so a reconnect presents the resume token of the latest join reply
    params: () => (state.resumeToken ? { resume: state.resumeToken } : {}),
  };
  // phoenix.js 1.8 sends authToken in Sec-WebSocket-Protocol rather than in the URL, which servers and proxies
  // log. It encodes with btoa and drops "="; a JWT's characters never give "+" or "/" there, so it is base64url.
  if (state.token) options.authToken = state.token;
  state.socket = new Socket("/socket", options);
  state.socket.onOpen(() => {
    state.everOpened = true;
    state.failedConnects = 0;
  });
  state.socket.onError(() => onSocketDown(false));
  state.socket.onClose(() => onSocketDown(true));
  state.socket.connect();
}

/** The socket closed or failed; phoenix.js reconnects by itself (and rejoins), the peer connections stay. */
function onSocketDown(closed) {
  if (state.ended) return;
  state.socketDown = true;
  if (state.token && tokenProblem() === "expired") {
    // the upgrade refuses an expired access token (§4) while a resume needs none (§7): reconnect without it
    if (!state.resumeToken) return endPage("expired");
    state.socket.authToken = null; // phoenix.js reads this at every connect
  }
  if (closed && !state.everOpened && ++state.failedConnects >= 3) {
    // a refused upgrade (403) looks like any failed connect to the page: say what it might be, keep trying
    banner(state.token ? "Still connecting… If this lasts, your invitation link may not be valid."
      : "Still connecting… If this room needs an invitation, open the link you were sent.", true, "reconnecting");
  } else {
    banner("Reconnecting…", false, "reconnecting");
  }
}

function join() {
  connect();
  const channel = state.socket.channel(`room:${state.room}`, () => ({ name: state.name }));
  state.roomChannel = channel;
  channel.on("room:peers", ({ peers, members }) => {
    rememberMembers(members);
    reconcile(peers || []);
  });
  // the newcomer makes the offers; the others learn here who it is, so its tile has the right name at once
  channel.on("peer:joined", (member) => {
    rememberMembers([member]);
    // in an SFU room nobody offers to the newcomer: it learns our flags from this
    if (state.topology === "sfu" && member?.peer_id) signal("state", member.peer_id, ownState());
  });
  channel.on("peer:left", ({ peer_id, reason }) => {
    state.departures.push({ peer_id, reason: reason ?? null });
    state.members.delete(peer_id);
    state.sfu?.left(peer_id);
    dropPeer(peer_id);
  });
  // a disconnected peer may resume within the server's window: keep its connection and tile, only mark it
  channel.on("peer:state", ({ peer_id, state: peerState }) => setPeerState(peer_id, peerState));
  for (const kind of ["offer", "answer", "candidate", "state"]) {
    channel.on(`signal:${kind}`, (msg) => onSignal(kind, msg));
  }
  // phoenix.js passes the phx_close payload, or the string "leave" when this page left the channel itself
  channel.onClose((payload) => {
    if (state.ended || payload === "leave") return;
    const reason = payload && payload.reason;
    endPage(reason === "replaced" || reason === "removed" ? reason : "closed");
  });
  channel.join().receive("ok", onJoined).receive("error", onJoinRefused);
}

function onJoinRefused({ reason } = {}) {
  if (state.ended) return;
  if (reason === "resume_expired") {
    // The session could not be resumed (window over, token spent, node gone): this socket has a new peer id,
    // and phoenix.js joins again by itself after rejoinAfterMs (1 s). That join is a fresh one (the server
    // answers resume_expired to the first join only) and no later reconnect may present the spent token.
    state.resumeToken = null;
    if (tokenProblem() === "expired") {
      state.roomChannel.leave();
      endPage("expired");
    }
    return;
  }
  if (reason === "unauthorized" || reason === "room_full") {
    // no retry loop: leaving is what stops phoenix.js from joining again
    state.roomChannel.leave();
    endPage(reason === "room_full" ? "full" : tokenProblem() === "expired" ? "expired" : "unauthorized");
    return;
  }
  banner(`Cannot join (${reason}); trying again…`, true, "join");
}

function onJoined({ peer_id, peers = [], members, ice_servers, resume_token, topology }) {
  state.iceServers = ice_servers || [];
  state.resumeToken = resume_token || null; // single use: every join reply brings the next one
  state.joins++;
  const resumed = state.peerId === peer_id;
  if (!resumed) {
    // a new peer id is a new peer for everyone: whatever was negotiated under the old id is gone
    for (const id of [...state.peers.keys()]) dropPeer(id);
    state.members.clear();
    state.peerChannel?.leave();
    state.peerId = peer_id;
    state.peerChannel = state.socket.channel(`peer:${peer_id}`, {});
    for (const kind of ["offer", "answer", "candidate", "state"]) {
      state.peerChannel.on(`signal:${kind}`, (msg) => onSignal(kind, msg));
    }
    state.peerChannel.join();
  }
  rememberMembers(members);
  reconcile(peers);
  state.topology = topology === "sfu" ? "sfu" : "mesh";
  if (state.topology === "sfu") {
    // the node dropped our media with the old socket (protocol.md §8): publish afresh, resumed or not
    startSfu();
  } else if (resumed) {
    // Same session (§7): every connection and tile stays, and media never stopped. Peers that joined while we
    // were away made their offers to us; the server held them and delivers them right after this reply, so
    // offering to them too would only collide. Our flags may have changed meanwhile: say them again.
    broadcastState();
  } else {
    // the newcomer offers to everyone already there
    for (const id of peers) ensurePeer(id, true);
  }
  state.socketDown = false;
  clearBanner("reconnecting");
  clearBanner("join");
}

function ownState() {
  return { name: state.name, audio: state.audio, video: state.video };
}

function startSfu() {
  state.sfu ||= new SfuRoom(state, { tileFor, showFlags, showViewer, banner, clearBanner, refreshIceServers,
    onStream: (video, tile) => video.play().catch(() => {
      video.muted = true;
      video.play();
      tile.querySelector(".unmute").hidden = false;
    }) });
  for (const id of [...state.peers.keys()]) dropPeer(id); // a room that was a mesh before a restart
  state.sfu.start(state.roomChannel, forceRelay);
  broadcastState();
}

/** The server's list is the truth: whoever is not in it left, possibly while our socket was down. */
function reconcile(peers) {
  for (const id of [...state.peers.keys()]) {
    if (!peers.includes(id)) dropPeer(id);
  }
  for (const id of [...(state.sfu?.tiles.keys() || [])]) {
    if (!peers.includes(id)) state.sfu.left(id);
  }
  for (const id of [...state.members.keys()]) {
    if (!peers.includes(id)) state.members.delete(id);
  }
}

/** Member objects (§5) from a join reply, room:peers or peer:joined; servers before §5 send none. */
function rememberMembers(list) {
  for (const member of Array.isArray(list) ? list : []) {
    if (!member || typeof member.peer_id !== "string" || member.peer_id === state.peerId) continue;
    state.members.set(member.peer_id, { ...state.members.get(member.peer_id), ...member });
    if (member.state) setPeerState(member.peer_id, member.state);
    const peer = state.peers.get(member.peer_id);
    if (peer) showIdentity(member.peer_id, peer);
    state.sfu?.identify(member.peer_id);
  }
}

function setPeerState(id, peerState) {
  if (typeof id !== "string" || (peerState !== "connected" && peerState !== "disconnected")) return;
  state.peerStates.set(id, peerState);
  const member = state.members.get(id);
  if (member) member.state = peerState;
  const tile = state.peers.get(id)?.tile || state.sfu?.tiles.get(id)?.tile;
  if (tile) tile.dataset.peerState = peerState; // style.css overlays "reconnecting…"
}

/** The server's name for a peer wins over the one it states itself: with a token, that one is verified. */
function showIdentity(id, peer) {
  const member = state.members.get(id);
  peer.name = String(member?.name || peer.statedName || id.slice(0, 6)).slice(0, 64);
  peer.tile.querySelector(".name").textContent = peer.name;
  showViewer(peer.tile, member?.publish === false);
}

// ---------- peer connections (perfect negotiation) ----------
function countsFor(id) {
  let counts = state.perPeer.get(id);
  if (!counts) {
    counts = { negotiationNeeded: 0, signalingStateChanges: 0 };
    state.perPeer.set(id, counts);
  }
  return counts;
}

function ensurePeer(id, offer = false) {
  let peer = state.peers.get(id);
  if (peer) return peer;
  // max-bundle: one ICE transport per connection from the start. With the default ("balanced") an offerer
  // gathers for its audio and its video m-line apart until the answer, which doubles the TURN allocations of a
  // newcomer offering to everyone at once and runs into the relay's per-peer quota (486).
  const pc = new RTCPeerConnection({ iceServers: state.iceServers, iceTransportPolicy: forceRelay ? "relay" : "all",
    bundlePolicy: "max-bundle" });
  peer = { pc, tracksAdded: false, polite: state.peerId < id, makingOffer: false, ignoreOffer: false, queued: [], candidateErrors: [],
    name: id.slice(0, 6), statedName: null, tile: tileFor(id, id.slice(0, 6)), restartTimer: null };
  state.peers.set(id, peer);
  state.tiles.created++;
  peer.tile.dataset.peerState = state.peerStates.get(id) || "connected";
  showIdentity(id, peer);
  const counts = countsFor(id);
  const video = peer.tile.querySelector("video");
  pc.ontrack = ({ streams: [stream] }) => {
    if (video.srcObject !== stream) {
      video.srcObject = stream;
      video.play().catch(() => { video.muted = true; video.play(); peer.tile.querySelector(".unmute").hidden = false; });
    }
  };
  pc.onicecandidate = ({ candidate }) => candidate && signal("candidate", id, candidate.toJSON());
  // a TURN server that refuses us (401 after a revocation, 486 at quota) shows here and nowhere else
  pc.onicecandidateerror = (e) => {
    peer.candidateErrors.push(`${e.url} ${e.errorCode} ${e.errorText}`.slice(0, 200));
    console.warn("ICE candidate error", e.url, e.errorCode, e.errorText);
  };
  pc.onnegotiationneeded = async () => {
    counts.negotiationNeeded++;
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
  pc.onsignalingstatechange = () => { counts.signalingStateChanges++; };
  pc.onconnectionstatechange = () => {
    peer.tile.querySelector(".state").textContent = pc.connectionState;
    peer.tile.dataset.state = pc.connectionState;
  };
  // Only ICE itself decides on a restart. A dropped signaling socket says nothing about the media path (the
  // server keeps the session for a resume), so it never restarts ICE: that would renegotiate every call.
  pc.oniceconnectionstatechange = () => {
    clearTimeout(peer.restartTimer);
    if (pc.iceConnectionState === "failed") restartIce(id, peer);
    if (pc.iceConnectionState === "disconnected") peer.restartTimer = setTimeout(() => restartIce(id, peer), 4000);
  };
  if (offer) addLocalTracks(peer, true);
  signal("state", id, { name: state.name, audio: state.audio, video: state.video });
  return peer;
}

/**
 * The offerer adds tracks at once; the answerer after the remote offer, so its transceivers are reused. An
 * offerer without a track of a kind (a viewer, or no camera) asks for it receive-only: its offer still needs
 * the m-line to receive on, and recvonly is what the server lets through from a peer without publish (§5).
 */
function addLocalTracks(peer, offering = false) {
  if (peer.tracksAdded) return;
  peer.tracksAdded = true;
  const tracks = !state.viewer && state.localStream ? state.localStream.getTracks() : [];
  for (const track of tracks) {
    const sending = track.kind === "video" && state.screenTrack ? state.screenTrack : track;
    peer.pc.addTrack(sending, state.localStream);
  }
  if (!offering) return;
  for (const kind of ["audio", "video"]) {
    if (!tracks.some((t) => t.kind === kind)) peer.pc.addTransceiver(kind, { direction: "recvonly" });
  }
}

/** Fresh TURN credentials (the join's may have expired, §6) for every connection; one request at a time. */
function refreshIceServers() {
  if (!state.iceRefresh) {
    state.iceRefresh = new Promise((resolve) => {
      state.roomChannel.push("ice:refresh", {})
        .receive("ok", ({ ice_servers }) => { applyIceServers(ice_servers); resolve(); })
        // a server without ice:refresh (unknown_event), or none reachable: restart with the servers we have
        .receive("error", () => resolve())
        .receive("timeout", () => resolve());
    }).finally(() => { state.iceRefresh = null; });
  }
  return state.iceRefresh;
}

function applyIceServers(iceServers) {
  if (!Array.isArray(iceServers)) return;
  state.iceServers = iceServers;
  for (const { pc } of state.peers.values()) {
    try {
      // the rest of the configuration (relay-only policy, certificates) must stay as it is
      pc.setConfiguration({ ...pc.getConfiguration(), iceServers });
    } catch (e) {
      console.warn("new ICE servers not applied", e);
    }
  }
}

function restartIce(id, peer) {
  refreshIceServers().then(() => {
    if (state.peers.get(id) === peer && !state.ended) peer.pc.restartIce();
  });
}

async function onSignal(kind, { from, body }) {
  if (!from || from === state.peerId || state.ended) return;
  if (state.topology === "sfu") {
    // no connection between browsers here: only the flags of others
    if (kind === "state" && body && typeof body === "object") state.sfu?.stateFrom(from, body);
    return;
  }
  const peer = ensurePeer(from);
  const pc = peer.pc;
  try {
    if (kind === "state") {
      peer.statedName = body.name ? String(body.name).slice(0, 64) : null;
      showIdentity(from, peer);
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
  state.tiles.removed++;
}

// ---------- controls ----------
function broadcastState() {
  // mesh: to each connected peer; SFU: to each member, since nobody is connected to us directly
  const to = state.topology === "sfu" ? state.members.keys() : state.peers.keys();
  for (const id of to) signal("state", id, ownState());
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
  await state.sfu?.replaceVideo(track);
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
  state.ended = "left";
  state.sfu?.stop();
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

// What the browser tests read and do. Everything returned is a plain copy (Selenium turns it into Java maps).
window.switchboard = {
  /** This page's peer id from the latest room join reply, or null before the first. */
  peerId() { return state.peerId; },
  /** Per remote peer (SFU: per owner of tracks received): its name, flags, connection and inbound progress. */
  async peers() {
    if (state.topology === "sfu") return state.sfu ? state.sfu.peers() : [];
    const out = [];
    for (const [id, peer] of state.peers) {
      let framesDecoded = 0; let bytesReceived = 0; let pairId = null; let localCandidates = 0; let remoteCandidates = 0;
      const stats = await peer.pc.getStats();
      stats.forEach((s) => {
        if (s.type === "local-candidate") localCandidates++;
        if (s.type === "remote-candidate") remoteCandidates++;
        if (s.type === "inbound-rtp" && s.kind === "video") { framesDecoded = s.framesDecoded || 0; bytesReceived = s.bytesReceived || 0; }
        if (s.type === "transport" && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
      });
      const pair = pairId && stats.get(pairId);
      const local = pair && stats.get(pair.localCandidateId);
      out.push({ id, name: peer.name, audio: peer.tile.dataset.audio !== "false", video: peer.tile.dataset.video !== "false",
        state: peer.pc.connectionState, framesDecoded, bytesReceived, candidateType: local ? local.candidateType : null,
        // for a relay candidate, how this browser reaches its TURN server: "udp", "tcp" or "tls"
        relayProtocol: local?.relayProtocol ?? null,
        signalingState: peer.pc.signalingState, iceGatheringState: peer.pc.iceGatheringState, localCandidates,
        remoteCandidates, queuedCandidates: peer.queued.length, candidateErrors: peer.candidateErrors.slice(-5),
        localIceUfrag: /a=ice-ufrag:(\S+)/.exec(peer.pc.localDescription?.sdp || "")?.[1] ?? null,
        peerState: state.peerStates.get(id) ?? null, publish: state.members.get(id)?.publish !== false });
    }
    return out;
  },
  /** "mesh" or "sfu" from the latest join reply; null before it. */
  topology() { return state.topology; },
  /** SFU rooms: the connection to the media node, negotiation counters and errors, tile churn; else null. */
  sfu() { return state.topology === "sfu" && state.sfu ? state.sfu.status() : null; },
  /** The banner as shown: {text, kind, action} (action: the label of its button, or null). */
  banner() {
    const el = $("banner");
    return el.hidden ? null : { text: el.textContent, kind: el.dataset.kind, action: $("banner-action").hidden ? null
      : $("banner-action").textContent };
  },
  /** Perfect-negotiation counters since the page loaded: {collisions, ignoredOffers, rollbacks}. */
  get negotiation() { return { ...state.negotiation }; },
  /** Peer id -> {negotiationNeeded, signalingStateChanges}: events of its RTCPeerConnection since load. */
  negotiationCounts() {
    return Object.fromEntries([...state.perPeer].map(([id, counts]) => [id, { ...counts }]));
  },
  /** Remote tiles created and removed since load: {created, removed}. */
  tileChurn() { return { ...state.tiles }; },
  /** Peer id -> "connected" | "disconnected": the last state the server gave (peer:state or a member object). */
  peerStates() { return Object.fromEntries(state.peerStates); },
  /** Every peer:left since load, in order: [{peer_id, reason}] (reason null from servers that send none). */
  departures() { return state.departures.map((d) => ({ ...d })); },
  /**
   * {socket: "connecting" | "open" | "closing" | "closed", joins: room joins answered ok since load,
   * reconnecting: the socket went down and the room is not joined again yet, page: a PAGES key, "left" or null,
   * viewer: joined receive-only, resumable: holds a resume token}
   */
  status() {
    return { socket: state.socket ? state.socket.connectionState() : "closed", joins: state.joins,
      reconnecting: state.socketDown, page: state.ended, viewer: state.viewer, resumable: state.resumeToken !== null };
  },
  /**
   * Closes the socket as a network blip would, without phx_leave (phoenix.js disconnect() sends none, and stops
   * its own reconnecting), then connects again after ms; the channels rejoin on open. Returns Date.now().
   */
  dropSocket(ms = 0) {
    state.socket.disconnect();
    setTimeout(() => state.socket.connect(), ms);
    return Date.now();
  },
  /**
   * Restarts ICE on every connection at once (without asking for fresh TURN credentials first, unlike the
   * app when ICE fails: the glare test needs both sides to offer at the same millisecond); returns Date.now().
   */
  restartIce() {
    for (const { pc } of state.peers.values()) pc.restartIce();
    return Date.now();
  },
};

// ---------- start ----------
async function enterRoom() {
  state.room = $("room").value;
  state.name = $("name").value.trim() || "Guest";
  const problem = tokenProblem(); // again: the lobby may have been open for a while
  if (problem) return endPage(problem);
  // a link without a room (a token for every room) only now knows under which room a reload finds it
  if (state.token) session((s) => s.setItem(tokenKey(state.room), state.token));
  history.replaceState(null, "", `/r/${encodeURIComponent(state.room)}${forceRelay ? "?relay=1" : ""}`);
  $("lobby").hidden = true;
  $("room-view").hidden = false;
  if (state.viewer) {
    // receive-only: no camera or microphone is ever opened, so nothing to mute or share
    state.audio = false;
    state.video = false;
    for (const id of ["toggle-audio", "toggle-video", "share"]) $(id).hidden = true;
  } else if (!state.localStream) {
    await openMedia();
  }
  const local = tileFor("local", `${state.name} (you)`, true);
  local.querySelector("video").srcObject = state.localStream;
  showFlags(local, state.audio, state.video);
  showViewer(local, state.viewer);
  join();
  state.qualityTimer = setInterval(updateQuality, 2000);
}

async function start() {
  const match = location.pathname.match(/^\/r\/([A-Za-z0-9_-]{1,64})/);
  let room = match ? match[1] : null;
  const fromLink = tokenFromLink();
  state.token = fromLink || (room && session((s) => s.getItem(tokenKey(room)))) || null;
  state.claims = state.token ? decodeClaims(state.token) : null;
  if (!room && typeof state.claims?.room === "string" && ROOM_ID.test(state.claims.room)) room = state.claims.room;
  if (fromLink && room) session((s) => s.setItem(tokenKey(room), fromLink)); // a reload of this tab finds it
  state.viewer = state.claims?.publish === false;

  // The tab is going away: leave for good first. A socket that merely closes is kept for a resume (§7), so the
  // others would see a reconnecting tile for the whole window. This listener is added before phoenix.js adds
  // its own (which disconnects on pagehide), so the phx_leave is still sent.
  window.addEventListener("pagehide", () => {
    if (!state.ended) {
      state.ended = "left";
      state.roomChannel?.leave();
    }
    state.socket?.disconnect();
  });
  // back from the back/forward cache after leaving: start over
  window.addEventListener("pageshow", (e) => { if (e.persisted && state.ended === "left") location.reload(); });

  const problem = tokenProblem();
  if (problem) return endPage(problem);

  $("room").value = room || randomRoom();
  $("name").value = state.claims?.name || params.get("name") || localStorage.getItem("switchboard.name") || "";
  if (state.claims) {
    // the invitation decides: its room (unless it covers every room) and, when it has one, the name shown
    $("room").readOnly = state.claims.room !== "*";
    $("name").readOnly = typeof state.claims.name === "string" && state.claims.name !== "";
  }
  $("join-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (!$("name").readOnly) localStorage.setItem("switchboard.name", $("name").value.trim());
    enterRoom();
  });
  $("toggle-audio").addEventListener("click", () => toggle("audio"));
  $("toggle-video").addEventListener("click", () => toggle("video"));
  $("share").addEventListener("click", shareScreen);
  $("page-prev").addEventListener("click", () => state.sfu?.grid.turn(-1));
  $("page-next").addEventListener("click", () => state.sfu?.grid.turn(1));
  $("copy-link").addEventListener("click", () => navigator.clipboard?.writeText(`${location.origin}/r/${state.room}`));
  $("leave").addEventListener("click", leave);
  if (room && params.get("join") === "1" && params.get("name")) {
    await enterRoom();
    return;
  }
  $("lobby").hidden = false;
  if (state.viewer) {
    $("viewer-note").hidden = false;
    $("devices").hidden = true;
    $("preview").hidden = true;
    return;
  }
  await openMedia();
  await listDevices();
  $("camera").addEventListener("change", openMedia);
  $("microphone").addEventListener("change", openMedia);
}

start();

// An SFU room on the page: one SfuSession to the media node, a tile per owner of the tracks it is sent (named
// from the server's member objects, as in mesh), the speaker grid fed by audio levels, and the "media server
// unreachable" banner with its retry. Mute and camera flags travel as in mesh: a targeted signal:state to each
// member (on join, to each newcomer, on every change), because a muted track looks the same as silence.
import { SfuSession } from "/sfu.js";
import { SpeakerGrid } from "/grid.js";

const LEVEL_POLL_MS = 500;

export class SfuRoom {
  /** ui: {tileFor, showFlags, showViewer, banner, clearBanner, refreshIceServers, onStream(video, tile)} */
  constructor(app, ui) {
    this.app = app; // the app's state: members, localStream, viewer, iceServers, name, audio, video
    this.ui = ui;
    this.tiles = new Map(); // owner -> {tile, statedName, flags}
    this.stated = new Map(); // owner -> {name, audio, video} from its latest signal:state, tile or not yet
    this.grid = new SpeakerGrid(document.getElementById("tiles"));
    this.session = null;
    this.poll = null;
    this.tilesCreated = 0;
    this.startedAt = 0; // performance.now() at the latest start: tile times are measured from there
    this.shownAt = new Map(); // owner -> ms after start when its tile appeared
    this.decodedAt = new Map(); // owner -> ms after start when a poll first saw a frame of its decoded
    this.tilesRemoved = 0;
  }

  /** (Re)starts media with the node: at every join, since the node forgets a participant whose socket closed. */
  start(channel, relayOnly) {
    this.stop();
    this.startedAt = performance.now();
    this.shownAt.clear();
    this.decodedAt.clear();
    const session = new SfuSession(channel, {
      iceServers: this.app.iceServers, relayOnly,
      onStream: (owner, stream) => this.show(owner, stream),
      onOwnerGone: (owner) => this.remove(owner),
      onConnection: (state) => this.onConnection(state),
      onReset: () => this.restart(channel, relayOnly),
      onUnavailable: () => this.ui.banner("Media server unreachable.", true, "media",
        { label: "Retry", run: () => this.restart(channel, relayOnly) }),
    });
    this.session = session;
    session.publish(this.app.localStream, this.app.viewer);
    this.poll = setInterval(() => this.pollLevels(), LEVEL_POLL_MS);
  }

  /** A new session, with fresh TURN credentials: those of the join may have expired meanwhile. */
  async restart(channel, relayOnly) {
    await this.ui.refreshIceServers();
    this.start(channel, relayOnly);
  }

  stop() {
    clearInterval(this.poll);
    this.session?.close();
    this.session = null;
    this.ui.clearBanner("media");
  }

  show(owner, stream) {
    let entry = this.tiles.get(owner);
    if (!entry) {
      entry = { tile: this.ui.tileFor(owner, owner.slice(0, 6)) };
      this.tiles.set(owner, entry);
      this.tilesCreated++;
      this.shownAt.set(owner, Math.round(performance.now() - this.startedAt));
      this.identify(owner);
      const flags = this.stated.get(owner);
      if (flags) this.ui.showFlags(entry.tile, flags.audio, flags.video);
      this.grid.add(owner);
    }
    const video = entry.tile.querySelector("video");
    if (video.srcObject !== stream) {
      video.srcObject = stream;
      this.ui.onStream(video, entry.tile);
    }
  }

  remove(owner) {
    const entry = this.tiles.get(owner);
    if (!entry) return;
    entry.tile.remove();
    this.tiles.delete(owner);
    this.tilesRemoved++;
    this.grid.remove(owner);
  }

  /** peer:left: its tracks go with it (the node's offer follows), its tile at once. */
  left(owner) {
    this.stated.delete(owner);
    this.session?.drop(owner);
    this.remove(owner);
  }

  /** The server's name for a peer wins over the one it states itself. */
  identify(owner) {
    const entry = this.tiles.get(owner);
    if (!entry) return;
    const member = this.app.members.get(owner);
    const name = String(member?.name || this.stated.get(owner)?.name || owner.slice(0, 6)).slice(0, 64);
    entry.tile.querySelector(".name").textContent = name;
    entry.name = name;
    this.ui.showViewer(entry.tile, member?.publish === false);
  }

  stateFrom(owner, body) {
    const flags = { name: body.name ? String(body.name).slice(0, 64) : null, audio: body.audio !== false,
      video: body.video !== false };
    this.stated.set(owner, flags);
    const entry = this.tiles.get(owner);
    if (entry) {
      this.identify(owner);
      this.ui.showFlags(entry.tile, flags.audio, flags.video);
    }
  }

  onConnection(state) {
    if (state === "failed") {
      this.ui.banner("Media server unreachable.", true, "media", { label: "Retry", run: () => this.retry() });
    } else if (state === "connected") {
      this.ui.clearBanner("media");
    }
  }

  /** An ICE restart with fresh TURN credentials (the join's may have expired). */
  async retry() {
    this.ui.banner("Reconnecting to the media server…", false, "media");
    await this.ui.refreshIceServers();
    if (!this.session) return;
    this.session.setIceServers(this.app.iceServers);
    this.session.restartIce();
  }

  replaceVideo(track) {
    return this.session?.replaceVideo(track);
  }

  async pollLevels() {
    if (!this.session) return;
    const inbound = await this.session.inbound().catch(() => null);
    if (!inbound) return;
    this.grid.levels(new Map([...inbound.byOwner].map(([owner, s]) => [owner, s.audioLevel])));
    for (const [owner, entry] of this.tiles) {
      const s = inbound.byOwner.get(owner);
      if (s?.framesDecoded > 0 && !this.decodedAt.has(owner)) {
        this.decodedAt.set(owner, Math.round(performance.now() - this.startedAt));
      }
      entry.tile.querySelector(".quality").textContent = s ? `level ${(s.audioLevel * 100).toFixed(0)}%` : "";
    }
  }

  /** For the browser tests: per owner shown, what it receives. */
  async peers() {
    if (!this.session) return [];
    const inbound = await this.session.inbound();
    return [...this.tiles].map(([id, entry]) => {
      const s = inbound.byOwner.get(id) || {};
      const flags = entry.tile.dataset;
      return { id, name: entry.name, audio: flags.audio !== "false", video: flags.video !== "false",
        state: this.session.pc.connectionState, framesDecoded: s.framesDecoded || 0,
        bytesReceived: s.bytesReceived || 0, audioPackets: s.audioPackets || 0, audioLevel: s.audioLevel || 0,
        candidateType: inbound.candidateType, relayProtocol: inbound.relayProtocol, hidden: entry.tile.hidden,
        order: Number(entry.tile.style.order || 0), publish: this.app.members.get(id)?.publish !== false };
    });
  }

  /** For the browser tests: the connection to the node and how negotiation went. */
  status() {
    const session = this.session;
    return session ? { state: session.pc.connectionState, iceState: session.pc.iceConnectionState,
      signalingState: session.pc.signalingState, errors: session.errors.slice(-10), ...session.counts,
      activeSpeaker: this.grid.activeSpeaker, tilesCreated: this.tilesCreated, tilesRemoved: this.tilesRemoved,
      joinReplyMs: Math.round(this.startedAt), // after navigation start
      tilesShownMs: Object.fromEntries(this.shownAt), videoDecodedMs: Object.fromEntries(this.decodedAt) }
      : null;
  }
}

// SFU mode (protocol.md §8): one RTCPeerConnection to the media node, negotiated over room:<id> with perfect
// negotiation, this page polite and the node impolite. The page publishes its microphone and camera once, as
// sendonly transceivers; the node offers everyone else's tracks, each in a stream whose id is its owner's peer id.

/** Tracks in SFU mode, keyed by owner; the app renders them and gives them names. */
export class SfuSession {
  /**
   * @param channel   the joined room:<id> channel (phoenix.js)
   * @param options   {iceServers, relayOnly, onStream(owner, stream), onOwnerGone(owner), onConnection(state),
   *                  onReset(), onUnavailable()}
   */
  constructor(channel, options) {
    this.channel = channel;
    this.options = options;
    this.makingOffer = false;
    this.closed = false;
    this.owners = new Map(); // owner peer id -> MediaStream of its tracks
    this.trackOwners = new Map(); // receiver track id -> owner peer id (for getStats, which names tracks)
    this.videoSender = null;
    this.audioSender = null;
    this.errors = []; // for the browser tests: what went wrong in negotiation
    this.counts = { offers: 0, nodeOffers: 0, glare: 0, iceRestarts: 0 };
    const pc = new RTCPeerConnection({ iceServers: options.iceServers, bundlePolicy: "max-bundle",
      rtcpMuxPolicy: "require", iceTransportPolicy: options.relayOnly ? "relay" : "all" });
    this.pc = pc;
    pc.ontrack = ({ track, streams: [stream] }) => this.onTrack(track, stream);
    pc.onnegotiationneeded = () => this.offer();
    pc.onconnectionstatechange = () => options.onConnection(pc.connectionState);
    this.refs = [
      ["media:offer", channel.on("media:offer", ({ sdp }) => this.onNodeOffer(sdp))],
      ["track:unpublished", channel.on("track:unpublished", () => this.pruneEnded())],
      // the room's media node left the cluster (protocol.md §8): this session is gone with it; a new one (a new
      // PeerConnection, so new ICE credentials and a new DTLS handshake) negotiates with the room's next node
      ["media:reset", channel.on("media:reset", () => { if (!this.closed) options.onReset?.(); })],
    ];
  }

  /**
   * Sends the page's tracks once: audio and video sendonly with the local stream (its id is only a label; the
   * node names the stream after this peer). A kind without a track (no camera, a viewer) is received only,
   * which is what a peer without publish may offer.
   */
  publish(stream, viewer) {
    for (const kind of ["audio", "video"]) {
      const track = viewer ? null : stream?.getTracks().find((t) => t.kind === kind);
      if (track) {
        const { sender } = this.pc.addTransceiver(track, { direction: "sendonly", streams: [stream] });
        if (kind === "video") this.videoSender = sender; else this.audioSender = sender;
      } else {
        this.pc.addTransceiver(kind, { direction: "recvonly" });
      }
    }
  }

  async offer() {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      const offer = ++this.counts.offers;
      this.channel.push("media:offer", { sdp: this.pc.localDescription.sdp }).receive("ok", async (reply) => {
        if (this.closed) return;
        // a node offer that crossed ours was applied meanwhile (ours rolled back, maybe a newer one out): stale
        if (this.pc.signalingState !== "have-local-offer" || offer !== this.counts.offers) return;
        try {
          await this.pc.setRemoteDescription({ type: "answer", sdp: reply.sdp });
        } catch (e) {
          this.errors.push(`answer: ${e}`);
        }
      }).receive("error", ({ reason } = {}) => {
        if (this.closed) return; // a session replaced meanwhile: its refusal says nothing about the new one
        // glare: the node's offer is on its way; answering it rolls ours back and negotiationneeded fires again
        if (reason === "glare") this.counts.glare++;
        else this.errors.push(`offer refused: ${reason}`);
        if (reason === "media_unavailable") this.options.onUnavailable?.();
      }).receive("timeout", () => this.errors.push("offer: no reply"));
    } catch (e) {
      this.errors.push(`offer: ${e}`);
    } finally {
      this.makingOffer = false;
    }
  }

  async onNodeOffer(sdp) {
    if (this.closed) return;
    this.counts.nodeOffers++;
    try {
      // polite: an offer of ours in flight is rolled back by applying the node's
      await this.pc.setRemoteDescription({ type: "offer", sdp });
      await this.pc.setLocalDescription();
      this.channel.push("media:answer", { sdp: this.pc.localDescription.sdp })
        .receive("error", (e) => this.errors.push(`answer refused: ${JSON.stringify(e)}`));
      this.pruneEnded();
    } catch (e) {
      this.errors.push(`node offer: ${e}`);
    }
  }

  onTrack(track, stream) {
    const owner = stream?.id;
    if (!owner) return;
    this.trackOwners.set(track.id, owner);
    this.owners.set(owner, stream);
    // a section the node stops sending ends its track: the owner's tile goes when its last track is gone
    stream.onremovetrack = () => { if (stream.getTracks().length === 0) this.drop(owner); };
    this.options.onStream(owner, stream);
  }

  /**
   * After a renegotiation (the node offers again when tracks go, and a track:unpublished comes before that
   * offer): owners whose stream holds no track any more are gone.
   */
  pruneEnded() {
    for (const [owner, stream] of this.owners) {
      if (stream.getTracks().length === 0) this.drop(owner);
    }
  }

  drop(owner) {
    if (!this.owners.delete(owner)) return;
    this.options.onOwnerGone(owner);
  }

  /** Screen share and back: the same sender, no renegotiation. */
  replaceVideo(track) {
    return this.videoSender ? this.videoSender.replaceTrack(track) : Promise.resolve();
  }

  setIceServers(iceServers) {
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch (e) {
      this.errors.push(`ice servers: ${e}`);
    }
  }

  /** ICE restart: the next offer carries new credentials, which the node answers with its own. */
  restartIce() {
    this.counts.iceRestarts++;
    this.pc.restartIce();
  }

  /** Per owner, the audio level of its microphone (0..1) from inbound-rtp stats, and the inbound counters. */
  async inbound() {
    const stats = await this.pc.getStats();
    const byOwner = new Map();
    let pairId = null;
    stats.forEach((s) => {
      if (s.type === "transport" && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
      if (s.type !== "inbound-rtp") return;
      const owner = this.trackOwners.get(s.trackIdentifier);
      if (!owner) return;
      const entry = byOwner.get(owner) || { audioLevel: 0, audioPackets: 0, framesDecoded: 0, bytesReceived: 0 };
      if (s.kind === "audio") {
        entry.audioLevel = s.audioLevel || 0;
        entry.audioPackets += s.packetsReceived || 0;
      } else {
        entry.framesDecoded += s.framesDecoded || 0;
      }
      entry.bytesReceived += s.bytesReceived || 0;
      byOwner.set(owner, entry);
    });
    const pair = pairId && stats.get(pairId);
    const local = pair && stats.get(pair.localCandidateId);
    return { byOwner, candidateType: local?.candidateType ?? null, relayProtocol: local?.relayProtocol ?? null };
  }

  close() {
    this.closed = true;
    for (const [event, ref] of this.refs) this.channel.off(event, ref);
    this.pc.close();
    for (const owner of [...this.owners.keys()]) this.drop(owner);
  }
}

// A speaker-friendly grid for SFU rooms of up to 25: this page's own tile first, then whoever spoke last, then
// the others in the order they came. Tiles are reordered with CSS order only (moving a <video> in the DOM would
// restart it), and at most `capacity` remote tiles are shown: the quietest overflow onto further pages.

/** Above this audioLevel (0..1, as getStats reports it) a participant counts as speaking. */
const SPEAKING = 0.02;

export class SpeakerGrid {
  constructor(container, pageSize = 25) {
    this.container = container;
    this.pageSize = pageSize;
    this.page = 0;
    this.lastSpoke = new Map(); // owner -> Date.now() when last heard above SPEAKING
    this.arrival = new Map(); // owner -> arrival order, the tie-break among those who have not spoken
    this.arrivals = 0;
    this.activeSpeaker = null;
  }

  add(owner) {
    if (!this.arrival.has(owner)) this.arrival.set(owner, this.arrivals++);
    this.layout();
  }

  remove(owner) {
    this.arrival.delete(owner);
    this.lastSpoke.delete(owner);
    if (this.activeSpeaker === owner) this.activeSpeaker = null;
    this.layout();
  }

  /** levels: Map owner -> audioLevel from the latest poll. The loudest speaker above the threshold leads. */
  levels(levels, now = Date.now()) {
    let loudest = null;
    let loudestLevel = SPEAKING;
    for (const [owner, level] of levels) {
      if (!this.arrival.has(owner)) continue;
      if (level > SPEAKING) this.lastSpoke.set(owner, now);
      if (level > loudestLevel) {
        loudest = owner;
        loudestLevel = level;
      }
    }
    if (loudest) this.activeSpeaker = loudest;
    this.layout();
  }

  /** Remote owners in display order. */
  order() {
    return [...this.arrival.keys()].sort((a, b) => {
      if (a === this.activeSpeaker) return -1;
      if (b === this.activeSpeaker) return 1;
      const spoke = (this.lastSpoke.get(b) || 0) - (this.lastSpoke.get(a) || 0);
      return spoke !== 0 ? spoke : this.arrival.get(a) - this.arrival.get(b);
    });
  }

  pages() {
    return Math.max(1, Math.ceil(this.arrival.size / this.pageSize));
  }

  turn(delta) {
    this.page = Math.min(this.pages() - 1, Math.max(0, this.page + delta));
    this.layout();
  }

  layout() {
    this.page = Math.min(this.page, this.pages() - 1);
    const order = this.order();
    const first = this.page * this.pageSize;
    order.forEach((owner, index) => {
      const tile = this.container.querySelector(`.tile[data-peer="${CSS.escape(owner)}"]`);
      if (!tile) return;
      tile.style.order = String(index + 1); // the local tile keeps order 0
      tile.hidden = index < first || index >= first + this.pageSize;
      tile.classList.toggle("speaking", owner === this.activeSpeaker);
    });
    const pager = document.getElementById("pager");
    if (pager) {
      pager.hidden = this.pages() < 2;
      document.getElementById("page-label").textContent = `${this.page + 1} / ${this.pages()}`;
    }
  }
}

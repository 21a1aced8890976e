// Minimal TURN client for smoke checks (RFC 8656 Allocate with the long-term credential mechanism,
// RFC 8489 framing): challenge, authenticated Allocate, then Refresh(lifetime 0) to free the relay.
import { createHash, createHmac, randomBytes } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";

const MAGIC = 0x2112a442;
const ATTR = { USERNAME: 0x0006, MESSAGE_INTEGRITY: 0x0008, ERROR_CODE: 0x0009, LIFETIME: 0x000d,
  REALM: 0x0014, NONCE: 0x0015, XOR_RELAYED_ADDRESS: 0x0016, REQUESTED_TRANSPORT: 0x0019 };

function encode(type, attrs, key) {
  const parts = attrs.map(([t, v]) => {
    const header = Buffer.alloc(4);
    header.writeUInt16BE(t, 0);
    header.writeUInt16BE(v.length, 2);
    return Buffer.concat([header, v, Buffer.alloc((4 - (v.length % 4)) % 4)]);
  });
  let body = Buffer.concat(parts);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt32BE(MAGIC, 4);
  randomBytes(12).copy(header, 8);
  if (key) {
    header.writeUInt16BE(body.length + 24, 2);
    const mac = createHmac("sha1", key).update(Buffer.concat([header, body])).digest();
    const mi = Buffer.alloc(4);
    mi.writeUInt16BE(ATTR.MESSAGE_INTEGRITY, 0);
    mi.writeUInt16BE(20, 2);
    body = Buffer.concat([body, mi, mac]);
  }
  header.writeUInt16BE(body.length, 2);
  return Buffer.concat([header, body]);
}

function decode(msg) {
  const type = msg.readUInt16BE(0);
  const attrs = new Map();
  for (let off = 20; off + 4 <= msg.length;) {
    const t = msg.readUInt16BE(off);
    const len = msg.readUInt16BE(off + 2);
    attrs.set(t, msg.subarray(off + 4, off + 4 + len));
    off += 4 + len + ((4 - (len % 4)) % 4);
  }
  return { type, attrs };
}

function errorOf(attrs) {
  const e = attrs.get(ATTR.ERROR_CODE);
  return e ? { code: e[2] * 100 + e[3], reason: e.subarray(4).toString() } : null;
}

function xorAddress(v) {
  const port = v.readUInt16BE(2) ^ (MAGIC >>> 16);
  const ip = [0, 1, 2, 3].map((i) => v[4 + i] ^ ((MAGIC >>> (24 - 8 * i)) & 0xff)).join(".");
  return v[1] === 1 ? `${ip}:${port}` : `[ipv6]:${port}`;
}

function transportTo(host, port, tcp) {
  if (tcp) {
    const socket = net.connect(port, host);
    let buffer = Buffer.alloc(0);
    let waiting = null;
    socket.on("data", (d) => {
      buffer = Buffer.concat([buffer, d]);
      if (waiting && buffer.length >= 20 && buffer.length >= 20 + buffer.readUInt16BE(2)) {
        const n = 20 + buffer.readUInt16BE(2);
        const msg = buffer.subarray(0, n);
        buffer = buffer.subarray(n);
        const w = waiting; waiting = null; w(msg);
      }
    });
    return { send: (m) => new Promise((ok, fail) => { waiting = ok; socket.once("error", fail); socket.write(m); }),
      close: () => socket.destroy() };
  }
  const socket = dgram.createSocket(host.includes(":") ? "udp6" : "udp4");
  return { send: (m) => new Promise((ok, fail) => { socket.once("message", ok); socket.once("error", fail); socket.send(m, port, host); }),
    close: () => socket.close() };
}

/** Resolves with the relayed address, rejects with the TURN error. */
export async function allocate(url, username, password) {
  const m = /^turn:(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/.exec(url);
  if (!m) throw new Error(`cannot probe ${url}`);
  const host = m[1].replace(/^\[|\]$/g, "");
  const transport = transportTo(host, Number(m[2] || 3478), m[3] === "tcp");
  const udp = Buffer.from([17, 0, 0, 0]);
  try {
    const challenge = decode(await transport.send(encode(0x0003, [[ATTR.REQUESTED_TRANSPORT, udp]])));
    const first = errorOf(challenge.attrs);
    if (!first || first.code !== 401) throw new Error(`expected a 401 challenge, got ${JSON.stringify(first)}`);
    const realm = challenge.attrs.get(ATTR.REALM);
    const nonce = challenge.attrs.get(ATTR.NONCE);
    const key = createHash("md5").update(`${username}:${realm.toString()}:${password}`).digest();
    const auth = [[ATTR.USERNAME, Buffer.from(username)], [ATTR.REALM, realm], [ATTR.NONCE, nonce]];
    const answer = decode(await transport.send(encode(0x0003, [[ATTR.REQUESTED_TRANSPORT, udp], ...auth], key)));
    if (answer.type !== 0x0103) {
      const e = errorOf(answer.attrs);
      throw new Error(`allocation refused: ${e ? `${e.code} ${e.reason}` : `type 0x${answer.type.toString(16)}`}`);
    }
    const relayed = xorAddress(answer.attrs.get(ATTR.XOR_RELAYED_ADDRESS));
    const zero = Buffer.alloc(4);
    await transport.send(encode(0x0004, [[ATTR.LIFETIME, zero], ...auth], key));
    return relayed;
  } finally {
    transport.close();
  }
}

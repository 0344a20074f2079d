// One subscriber process of the live-updates benchmark: holds many anonymous
// socket.io-client sockets (websocket transport only, forceNew), subscribed to
// one article, and records every `comment.created` it receives: the receive
// time, the seq, and the send time the poster wrote into the comment body.
// Driven by its parent over IPC (see the `commands` table below).
// BENCH_CLIENT: `wire` (default: the lean client of wire-client.mjs) or
// `socket.io-client`.
import { io } from 'socket.io-client';
import { Histogram } from '../lib/histogram.mjs';
import { sleep } from '../lib/processes.mjs';
import { now, readStamp } from './lib.mjs';
import { WireSocket } from './wire-client.mjs';

const CLIENT = process.env.BENCH_CLIENT || 'wire';
if (CLIENT !== 'wire' && CLIENT !== 'socket.io-client')
  throw new Error(`BENCH_CLIENT ${CLIENT}: wire or socket.io-client`);

const CONNECT_CONCURRENCY = Number(process.env.BENCH_CONNECT_CONCURRENCY || 50);
const ACK_TIMEOUT_MS = 30_000;

const sockets = []; // { index, socket, seqs, lastSeq, dropped, closing, unexpected }
let deliveries = 0;
let outsidePhase = 0;
let sampleBytes = null; // size of one envelope as JSON, to compare payloads
let steady = new Histogram(); // sockets not dropped during the phase
let dropped = new Histogram(); // sockets dropped and resubscribed during the phase (includes replays)
let perSeq = new Map(); // seq -> { count, max }
const disconnectReasons = {};

function record(rec, envelope) {
  const t = now();
  deliveries += 1;
  const seq = envelope?.seq;
  if (sampleBytes === null) sampleBytes = Buffer.byteLength(JSON.stringify(envelope));
  rec.seqs.push(seq);
  rec.lastSeq = seq;
  const sent = readStamp(envelope?.data?.comment?.body);
  if (Number.isNaN(sent)) return;
  const latency = t - sent;
  if (rec.dropped) {
    dropped.add(latency);
    return;
  }
  steady.add(latency);
  // First and last delivery of each event, over the sockets not dropped.
  const s = perSeq.get(seq);
  if (s) {
    s.count += 1;
    if (latency > s.max) s.max = latency;
    if (latency < s.min) s.min = latency;
  } else perSeq.set(seq, { count: 1, max: latency, min: latency });
}

function openSocket(rec, url) {
  if (CLIENT === 'wire') {
    const socket = new WireSocket(url, { auth: {}, timeoutMs: ACK_TIMEOUT_MS });
    const handle = {
      disconnect: () => socket.close(),
      emitWithAck: (e, d) => socket.emitWithAck(e, d, ACK_TIMEOUT_MS),
    };
    rec.socket = handle;
    socket.on('comment.created', (envelope) => record(rec, envelope));
    socket.on('disconnect', (reason) => {
      if (rec.socket !== handle || rec.closing) return;
      rec.unexpected += 1;
      disconnectReasons[reason] = (disconnectReasons[reason] ?? 0) + 1;
    });
    return socket.ready.then(() => handle);
  }
  const socket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: ACK_TIMEOUT_MS,
    auth: {},
  });
  const handle = {
    disconnect: () => socket.disconnect(),
    emitWithAck: (e, d) => socket.timeout(ACK_TIMEOUT_MS).emitWithAck(e, d),
  };
  rec.socket = handle;
  socket.on('comment.created', (envelope) => record(rec, envelope));
  socket.on('disconnect', (reason) => {
    if (rec.socket !== handle || rec.closing) return;
    rec.unexpected += 1;
    disconnectReasons[reason] = (disconnectReasons[reason] ?? 0) + 1;
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(handle));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

async function subscribe(rec, url, article, after) {
  const t0 = now();
  const socket = await openSocket(rec, url);
  const t1 = now();
  const payload = after === undefined ? { article } : { article, after };
  const ack = await socket.emitWithAck('subscribe', payload);
  if (!ack || ack.error) throw new Error(`subscribe refused: ${JSON.stringify(ack?.error ?? ack)}`);
  if (rec.lastSeq === null) rec.lastSeq = ack.seq;
  return { ...ack, connectMs: t1 - t0, subscribeMs: now() - t1 };
}

async function pool(items, concurrency, fn) {
  let next = 0;
  const results = new Array(items.length);
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { ok: true, value: await fn(items[i], i) };
      } catch (error) {
        results[i] = { ok: false, error: String(error?.message ?? error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

const commands = {
  // Open `count` sockets and subscribe each to `article`.
  async connect({ url, article, count }) {
    const t0 = now();
    const recs = Array.from({ length: count }, (_, i) => ({
      index: sockets.length + i,
      socket: null,
      seqs: [],
      lastSeq: null,
      dropped: false,
      closing: false,
      unexpected: 0,
    }));
    const results = await pool(recs, CONNECT_CONCURRENCY, (rec) => subscribe(rec, url, article));
    const ok = [];
    const errors = [];
    results.forEach((r, i) => {
      if (r.ok) {
        sockets.push(recs[i]);
        ok.push(r.value);
      } else errors.push(r.error);
    });
    const seqs = ok.map((a) => a.seq);
    return {
      ok: ok.length,
      failed: errors.length,
      errors: [...new Set(errors)].slice(0, 5),
      ackSeqMin: Math.min(...seqs),
      ackSeqMax: Math.max(...seqs),
      resync: ok.filter((a) => a.resync).length,
      ms: now() - t0,
    };
  },

  // Start a new measured phase.
  phase() {
    for (const rec of sockets) {
      rec.seqs = [];
      rec.dropped = false;
    }
    deliveries = 0;
    outsidePhase = 0;
    steady = new Histogram();
    dropped = new Histogram();
    perSeq = new Map();
    return { sockets: sockets.length };
  },

  count() {
    return { deliveries };
  },

  // Every `every`-th socket closes, stays away `downMs`, then opens a new
  // socket and subscribes again with `after` = the last seq it saw.
  async drop({ url, article, every, downMs }) {
    const victims = sockets.filter((rec) => rec.index % every === 0);
    const lastSeen = [];
    for (const rec of victims) {
      rec.dropped = true;
      rec.closing = true;
      rec.socket.disconnect();
      lastSeen.push(rec.lastSeq);
    }
    const t0 = now();
    await sleep(downMs);
    const results = await pool(victims, CONNECT_CONCURRENCY, async (rec) => {
      rec.closing = false;
      return subscribe(rec, url, article, rec.lastSeq);
    });
    const failed = results.filter((r) => !r.ok);
    return {
      dropped: victims.length,
      reconnected: results.length - failed.length,
      failed: failed.length,
      errors: [...new Set(failed.map((r) => r.error))].slice(0, 5),
      resync: results.filter((r) => r.ok && r.value.resync).length,
      awayMs: now() - t0,
      connectMs: results.filter((r) => r.ok).map((r) => r.value.connectMs),
      subscribeMs: results.filter((r) => r.ok).map((r) => r.value.subscribeMs),
      afterMin: Math.min(...lastSeen),
      afterMax: Math.max(...lastSeen),
    };
  },

  // Exactly-once, in-order check of seqs (from, to] for every socket.
  report({ from, to }) {
    const span = to - from;
    const perSeqCounts = new Array(span).fill(0);
    let missing = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let socketsWithLoss = 0;
    let unexpected = 0;
    for (const rec of sockets) {
      const counts = new Uint16Array(span);
      let highest = from;
      let bad = false;
      unexpected += rec.unexpected;
      for (const seq of rec.seqs) {
        if (!(seq > from && seq <= to)) {
          outsidePhase += 1;
          continue;
        }
        const k = seq - from - 1;
        counts[k] += 1;
        perSeqCounts[k] += 1;
        if (counts[k] > 1) {
          duplicates += 1;
          bad = true;
        } else if (seq < highest) {
          outOfOrder += 1;
          bad = true;
        }
        if (seq > highest) highest = seq;
      }
      for (let k = 0; k < span; k++) {
        if (counts[k] === 0) {
          missing += 1;
          bad = true;
        }
      }
      if (bad) socketsWithLoss += 1;
    }
    const fanout = [];
    for (const [seq, s] of perSeq) if (seq > from && seq <= to) fanout.push([seq, s.count, s.max, s.min]);
    return {
      sockets: sockets.length,
      deliveries,
      missing,
      duplicates,
      outOfOrder,
      outsidePhase,
      socketsWithLoss,
      unexpectedDisconnects: unexpected,
      disconnectReasons,
      sampleBytes,
      perSeqCounts,
      fanout,
      steady: steady.toJSON(),
      dropped: dropped.toJSON(),
    };
  },

  async close() {
    for (const rec of sockets) {
      rec.closing = true;
      rec.socket?.disconnect();
    }
    await sleep(100);
    return { closed: sockets.length };
  },
};

process.on('message', async (/** @type {any} */ message) => {
  const { id, cmd, args } = message;
  try {
    const result = await commands[cmd](args ?? {});
    process.send({ id, ok: true, result });
  } catch (error) {
    process.send({ id, ok: false, error: String(error?.stack ?? error) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });

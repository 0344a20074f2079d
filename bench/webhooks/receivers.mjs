// The benchmark's webhook receivers, in a process of their own (started by
// run.mjs): RECEIVERS node:http servers, each verifying every delivery with
// the standardwebhooks package, as a newsroom's receiver would. Their work
// (HTTP and a JavaScript HMAC per delivery) stays out of the posting
// clients' event loop; run.mjs reports their CPU apart.
//
// Messages (IPC): out {type:'ready', urls}; in {type:'secrets', secrets},
// {type:'due', due: [[commentId, dueAtEpochMs], ...]}, {type:'count'};
// out {type:'count', arrived, refused, latency} (arrivals of the comments
// given in 'due', at every receiver, and their latency from their due time).
import http from 'node:http';
import { Webhook } from 'standardwebhooks';
import { Histogram } from '../lib/histogram.mjs';

const now = () => performance.timeOrigin + performance.now();
const count = Number(process.env.RECEIVERS || 5);
const receivers = [];
let refused = 0;

for (let i = 0; i < count; i += 1) {
  const receiver = { verifier: /** @type {Webhook | null} */ (null), seen: new Map() };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const arrived = now();
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        if (!receiver.verifier) throw new Error('no secret yet');
        receiver.verifier.verify(raw, /** @type {Record<string, string>} */ (req.headers));
      } catch {
        refused += 1;
        res.statusCode = 401;
        res.end();
        return;
      }
      const id = JSON.parse(raw).data?.comment?.id;
      if (id && !receiver.seen.has(id)) receiver.seen.set(id, arrived);
      res.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  receiver.url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/hooks`;
  receivers.push(receiver);
}

let due = new Map();
process.on('message', (/** @type {any} */ message) => {
  if (message.type === 'secrets') message.secrets.forEach((s, i) => (receivers[i].verifier = new Webhook(s)));
  else if (message.type === 'due') due = new Map(message.due);
  else if (message.type === 'count') {
    const latency = new Histogram();
    let arrived = 0;
    for (const r of receivers)
      for (const [id, at] of due) {
        const seen = r.seen.get(id);
        if (seen === undefined) continue;
        arrived += 1;
        latency.add(seen - at);
      }
    process.send?.({ type: 'count', arrived, refused, latency: latency.summary() });
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready', urls: receivers.map((r) => r.url) });

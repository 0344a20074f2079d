// An open-loop, evenly paced load: one request every 1/rate seconds over a
// pool of keep-alive connections, for a fixed duration, to 127.0.0.1 only.
//
// Why, next to autocannon's overallRate: autocannon enforces a rate with a
// per-connection budget that refills once a second, so "half the max rate"
// means full speed for about half of each second and then silence; its
// latencies at that "rate" are close to the saturated ones. Paced arrivals
// are what a latency target at a given rate is usually about.
//
// Latency is measured from the moment a request was due (so a request that
// waited for a free connection counts its wait: no coordinated omission),
// and, separately, from the moment it was written (service time).
import http from 'node:http';
import net from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';

export async function pacedRun({ url, rate, duration, connections }) {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname))
    throw new Error('paced load targets loopback only');
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const total = Math.floor(rate * duration);
  const intervalNs = 1e9 / rate;
  const fromDue = new Float64Array(total);
  const fromSend = new Float64Array(total);
  // How late the generator itself issued each request (its timer and its own
  // work): a tail here is the generator's, not the server's.
  const issueLag = new Float64Array(total);
  const gcPauses = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.push(entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  let done = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let issued = 0;
  const start = process.hrtime.bigint();

  await new Promise((resolve) => {
    const finishOne = () => {
      done++;
      if (done === total) resolve();
    };
    const issue = (i, due) => {
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, agent, method: 'GET' },
        (res) => {
          res.resume();
          res.on('end', () => {
            const now = process.hrtime.bigint();
            if (res.statusCode >= 200 && res.statusCode < 300) {
              fromDue[ok] = Number(now - due) / 1e6;
              fromSend[ok] = Number(now - sent) / 1e6;
              ok++;
            } else {
              non2xx++;
            }
            finishOne();
          });
        },
      );
      let sent = process.hrtime.bigint();
      req.on('socket', () => {
        sent = process.hrtime.bigint();
      });
      req.on('error', () => {
        errors++;
        finishOne();
      });
      req.end();
    };
    const tick = () => {
      const now = process.hrtime.bigint();
      while (issued < total) {
        const due = start + BigInt(Math.round(issued * intervalNs));
        if (due > now) break;
        issueLag[issued] = Number(now - due) / 1e6;
        issue(issued, due);
        issued++;
      }
      // A 1 ms timer, not setImmediate: a spinning loop would take a core
      // from the servers on a small machine.
      if (issued < total) setTimeout(tick, 1);
    };
    tick();
  });
  agent.destroy();
  gc.disconnect();
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    rate,
    duration,
    connections,
    requests: total,
    ok,
    non2xx,
    errors,
    achievedRate: ok / elapsed,
    latencyFromDue: percentiles(fromDue.subarray(0, ok)),
    latencyFromSend: percentiles(fromSend.subarray(0, ok)),
    generatorIssueLag: percentiles(issueLag.subarray(0, issued)),
    generatorGc: {
      count: gcPauses.length,
      totalMs: gcPauses.reduce((a, b) => a + b, 0),
      maxMs: Math.max(0, ...gcPauses),
    },
  };
}

export function percentiles(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (p) =>
    sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    mean: sorted.length ? sum / sorted.length : NaN,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

// The same paced load from a leaner client: raw keep-alive TCP connections,
// one request written as precomputed bytes, the answer read by its status
// line and Content-Length (no chunked bodies: the read answers all say their
// length). Per request it allocates next to nothing, so its own garbage
// collection and timers leave less of a tail in the figures than node:http's
// client does; latency is still measured from the due time.
const HEAD_END = Buffer.from('\r\n\r\n');

export async function pacedRunRaw({ url, rate, duration, connections }) {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname))
    throw new Error('paced load targets loopback only');
  const requestBytes = Buffer.from(
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: keep-alive\r\n\r\n`,
    'latin1',
  );
  const total = Math.floor(rate * duration);
  const intervalNs = 1e9 / rate;
  const fromDue = new Float64Array(total);
  const fromSend = new Float64Array(total);
  const issueLag = new Float64Array(total);
  const gcPauses = [];
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.push(entry.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  let done = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let issued = 0;
  let responseBytes = 0;
  // Due times (ns since start) of requests waiting for a free connection.
  const waiting = [];
  const idle = [];
  let start = process.hrtime.bigint();
  const nowNs = () => Number(process.hrtime.bigint() - start);

  let resolveAll;
  const finished = new Promise((resolve) => (resolveAll = resolve));
  const finishOne = () => {
    done++;
    if (done === total) resolveAll();
  };

  const open = () =>
    new Promise((resolve, reject) => {
      // One read buffer per connection, reused for every read (`onread`):
      // no Buffer per chunk, so the generator's heap hardly moves.
      const buffer = Buffer.allocUnsafe(256 * 1024);
      const conn = { socket: null, due: 0, sent: 0, head: '', remaining: -1, status: 0 };
      const complete = () => {
        const now = nowNs();
        if (conn.status >= 200 && conn.status < 300) {
          fromDue[ok] = (now - conn.due) / 1e6;
          fromSend[ok] = (now - conn.sent) / 1e6;
          ok++;
        } else {
          non2xx++;
        }
        conn.remaining = -1;
        finishOne();
        release(conn);
        issueDue();
      };
      const read = (n, buf) => {
        let offset = 0;
        if (conn.remaining < 0) {
          let head;
          const end = conn.head === '' ? buf.indexOf(HEAD_END) : -1;
          if (end >= 0 && end + 4 <= n) {
            head = buf.toString('latin1', 0, end);
            offset = end + 4;
          } else {
            // The head came in more than one read.
            conn.head += buf.toString('latin1', 0, n);
            const at = conn.head.indexOf('\r\n\r\n');
            if (at < 0) return;
            head = conn.head.slice(0, at);
            offset = n - (conn.head.length - at - 4);
            conn.head = '';
          }
          conn.status = Number(head.slice(9, 12));
          const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          if (!length) {
            errors++;
            conn.socket.destroy();
            finishOne();
            return;
          }
          conn.remaining = Number(length[1]);
        }
        const body = n - offset;
        conn.remaining -= body;
        responseBytes += body;
        if (conn.remaining <= 0) complete();
      };
      const socket = net.connect({
        host: target.hostname,
        port: Number(target.port),
        // Never pauses the socket (false would).
        onread: {
          buffer,
          callback: (n, buf) => {
            read(n, buf);
            return true;
          },
        },
      });
      socket.setNoDelay(true);
      conn.socket = socket;
      socket.once('connect', () => resolve(conn));
      socket.once('error', (error) => {
        if (conn.due) {
          errors++;
          finishOne();
        }
        reject(error);
      });
    });
  const send = (conn, due) => {
    conn.due = due;
    conn.sent = nowNs();
    conn.socket.write(requestBytes);
  };
  const release = (conn) => {
    if (waiting.length > 0) send(conn, waiting.shift());
    else idle.push(conn);
  };
  const conns = await Promise.all(Array.from({ length: connections }, open));
  idle.push(...conns);

  // Every request due by now: on a free connection, or in line for one.
  const issueDue = () => {
    const now = nowNs();
    while (issued < total) {
      const due = Math.round(issued * intervalNs);
      if (due > now) break;
      issueLag[issued] = (now - due) / 1e6;
      issued++;
      const conn = idle.pop();
      if (conn) send(conn, due);
      else waiting.push(due);
    }
  };
  // A 1 ms timer, and after every answer too: on a loop busy reading answers
  // the timer alone fires late, and requests would go out in late batches.
  const tick = () => {
    issueDue();
    if (issued < total) setTimeout(tick, 1);
  };
  // The clock starts when the connections are open.
  start = process.hrtime.bigint();
  tick();
  await finished;
  for (const conn of conns) conn.socket.destroy();
  gc.disconnect();
  const elapsed = nowNs() / 1e9;
  return {
    rate,
    duration,
    connections,
    client: 'raw keep-alive sockets',
    requests: total,
    ok,
    non2xx,
    errors,
    responseBytes,
    achievedRate: ok / elapsed,
    latencyFromDue: percentiles(fromDue.subarray(0, ok)),
    latencyFromSend: percentiles(fromSend.subarray(0, ok)),
    generatorIssueLag: percentiles(issueLag.subarray(0, issued)),
    generatorGc: {
      count: gcPauses.length,
      totalMs: gcPauses.reduce((a, b) => a + b, 0),
      maxMs: Math.max(0, ...gcPauses),
    },
  };
}

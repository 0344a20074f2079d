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

export async function pacedRun({ url, rate, duration, connections }) {
  const target = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname))
    throw new Error('paced load targets loopback only');
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const total = Math.floor(rate * duration);
  const intervalNs = 1e9 / rate;
  const fromDue = new Float64Array(total);
  const fromSend = new Float64Array(total);
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

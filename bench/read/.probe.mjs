import { pacedRun } from './paced.mjs';
const url = process.argv[2];
for (const rate of [50, 200, 400]) {
  const r = await pacedRun({ url, rate, duration: 3, connections: 20 });
  console.log(rate, JSON.stringify({ due: r.latencyFromDue, send: r.latencyFromSend, ok: r.ok, ach: r.achievedRate }));
}

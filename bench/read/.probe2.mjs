import autocannon from 'autocannon';
import { pacedRun } from './paced.mjs';
const url = process.argv[2];
const rate = Number(process.argv[3]);
const mode = process.argv[4];
if (mode.includes('max')) { const r = await autocannon({ url, connections: 20, duration: 5 }); console.log('max', r.requests.average); }
if (mode.includes('ac')) { const r = await autocannon({ url, connections: 20, duration: 5, overallRate: rate }); console.log('ac', r.requests.average, r.latency.p50, r.latency.p99); }
const t = process.hrtime.bigint();
const p = await pacedRun({ url, rate, duration: 5, connections: 20 });
console.log('paced', (Number(process.hrtime.bigint() - t) / 1e9).toFixed(1), 's', JSON.stringify(p.latencyFromDue), JSON.stringify(p.latencyFromSend), p.achievedRate);

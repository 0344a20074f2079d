// One paced run (paced.mjs) in a process of its own, so the load generator
// can be pinned to a core (taskset) apart from the server under test, and its
// own garbage collection and timers do not share an event loop with the
// runner. `client`: `raw` (pacedRunRaw, the default) or `http` (pacedRun). Argument: the run's settings as JSON; prints the result as JSON on
// the last line of stdout, with the generator's own CPU seconds.
import { pacedRun, pacedRunRaw } from './paced.mjs';

const settings = JSON.parse(process.argv[2]);
const before = process.cpuUsage();
const result = await (settings.client === 'http' ? pacedRun : pacedRunRaw)(settings);
const used = process.cpuUsage(before);
result.generatorCpuSeconds = (used.user + used.system) / 1e6;
process.stdout.write(`${JSON.stringify(result)}\n`);

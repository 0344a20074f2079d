// CPU and memory readings from /proc, shared by the benchmarks: a server's
// own time, PostgreSQL's, the load generator's and the rest of the machine's
// over a window (another user's work shows up as "other" and makes the
// figures unreliable).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

// A process's name and the fields after it in /proc/<pid>/stat (null: gone).
export function procStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return {
      comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
      f: text.slice(text.lastIndexOf(')') + 2).split(' '),
    };
  } catch {
    return null;
  }
}

// utime + stime of a process, in ticks.
export function cpuTicks(pid) {
  const s = procStat(pid);
  return s ? Number(s.f[11]) + Number(s.f[12]) : NaN;
}

// utime + stime of a process, in seconds.
export function cpuSeconds(pid) {
  return cpuTicks(pid) / CLK_TCK;
}

export function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
  } catch {
    return { rssMiB: NaN, hwmMiB: NaN };
  }
}

export const rssMiB = (pid) => memory(pid).rssMiB;

// Busy and total ticks of the whole machine (first line of /proc/stat).
export function machineTicks() {
  try {
    const v = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = v[3] + (v[4] || 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

// CPU ticks of PostgreSQL's processes, by pid: with `postmaster`, that
// server's postmaster and its children only (other servers on the machine,
// such as tests of other work, are "other"); without, every process called
// "postgres". The postmaster's own count includes cutime + cstime: the time
// of its children that exited (a backend when its connection closes).
export function postgresTicks(postmaster) {
  const out = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const s = procStat(pid);
    if (!s) continue;
    const own = Number(s.f[11]) + Number(s.f[12]);
    const withExited = own + Number(s.f[13]) + Number(s.f[14]);
    if (postmaster === undefined) {
      if (s.comm === 'postgres') out.set(pid, withExited);
    } else if (pid === String(postmaster)) {
      out.set(pid, withExited);
    } else if (s.f[1] === String(postmaster)) {
      out.set(pid, own);
    }
  }
  return out;
}

// Sum after minus sum before: a backend that exits inside the window moves
// its whole time into the postmaster's cutime, and leaves the live sum.
export function postgresDeltaSeconds(before, after) {
  let ticks = 0;
  for (const t of after.values()) ticks += t;
  for (const t of before.values()) ticks -= t;
  return ticks / CLK_TCK;
}

// CPU seconds of the PostgreSQL backends serving one database (their process
// titles name it), summed over those alive now.
export function postgresCpuSeconds(database) {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!title.startsWith('postgres:') || !title.includes(` ${database} `)) continue;
      const cpu = cpuSeconds(entry);
      if (!Number.isNaN(cpu)) total += cpu;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

// CPU use over a window, from now until the returned function is called:
// the server under test, PostgreSQL (`postgres()` reads its ticks; null when
// it does not run on this machine), this process (the load generator) and
// everything else on the machine.
export function cpuWindow(serverPid, postgres = () => null) {
  const s0 = cpuTicks(serverPid);
  const p0 = postgres();
  const m0 = machineTicks();
  const self0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  return () => {
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const server = (cpuTicks(serverPid) - s0) / CLK_TCK;
    const p1 = p0 === null ? null : postgres();
    const pg = p0 === null || p1 === null ? null : postgresDeltaSeconds(p0, p1);
    const machine = (machineTicks().busy - m0.busy) / CLK_TCK;
    const u = process.cpuUsage(self0);
    const self = (u.user + u.system) / 1e6;
    const pct = (x) => (x === null ? null : (100 * x) / wall);
    return {
      wall,
      serverSeconds: server,
      postgresSeconds: pg,
      serverCpuPercent: pct(server),
      postgresCpuPercent: pct(pg),
      loadGeneratorCpuPercent: pct(self),
      machineCpuPercent: pct(machine),
      otherCpuPercent: pg === null ? null : pct(Math.max(0, machine - server - pg - self)),
    };
  };
}

export function openFilesLimit() {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
    return { soft: Number(m[1]) || m[1], hard: Number(m[2]) || m[2] };
  } catch {
    return { soft: null, hard: null };
  }
}

import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { apiNodeFlags } from '../../scripts/api-node-flags.mjs';
import { TEST_JWT_SECRET, TEST_LIMITS } from './test-app.js';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  logs: string[];
  stop(): Promise<number | null>;
}

// The built server (dist/) as a real process on its own port, against the
// run's test database, started as `npm start` starts it.
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...apiNodeFlags(), 'dist/apps/api/src/main.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      PORT: '0',
      HOST: '127.0.0.1',
      SEED: 'false',
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: 'info',
      ...TEST_LIMITS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => logs.push(line));
  const closed = once(child, 'close');
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line);
      const match = /"url":"(http:[^"]+)"/.exec(line);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${logs.join('\n')}`)));
  });
  return {
    child,
    url,
    logs,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const [code] = (await closed) as [number | null];
      return code;
    },
  };
}

import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface RedisServer {
  url: string;
  port: number;
  // Stops it (SIGTERM) and waits for the process to end.
  stop(): Promise<void>;
  // Starts it again on the same port, empty.
  start(): Promise<void>;
  // Freezes it: connections stay open and nothing is answered (SIGSTOP).
  pause(): void;
  resume(): void;
}

// A free port below the ephemeral range: a client that keeps reconnecting to
// a stopped server on an ephemeral port can end up connected to itself.
async function freePort(): Promise<number> {
  for (let port = 6391; port <= 6399; port++) {
    const server = createServer();
    const free = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      server.close();
      await once(server, 'close');
      return port;
    }
  }
  throw new Error('no free port in 6391-6399 for a test Redis');
}

// A Redis of the test's own (never the machine's shared one), so that it can
// be stopped, paused and restarted under load.
export async function startRedisServer(port?: number): Promise<RedisServer> {
  const chosen = port ?? (await freePort());
  let child: ChildProcess | null = null;

  const start = async () => {
    const server = spawn(
      'redis-server',
      ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = server;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      server.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      server.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    });
  };

  await start();
  return {
    url: `redis://127.0.0.1:${chosen}`,
    port: chosen,
    start,
    stop: async () => {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      running.kill('SIGCONT');
      running.kill('SIGTERM');
      await once(running, 'exit');
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}

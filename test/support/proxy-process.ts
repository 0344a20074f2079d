import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export interface ProxyProcess {
  url: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// HAProxy (Debian's package) with the deployment's own configuration
// (deploy/haproxy.cfg) on loopback, in front of two API nodes. Resolves once
// both nodes are in rotation.
export async function startProxy(api1: string, api2: string): Promise<ProxyProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', 'deploy/haproxy.cfg'], {
    env: {
      ...process.env,
      PROXY_BIND: `127.0.0.1:${port}`,
      API1_ADDR: new URL(api1).host,
      API2_ADDR: new URL(api2).host,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ENOENT' ? 'haproxy is not installed (apt-get install haproxy)' : error.message)),
    );
    child.once('exit', (code) => reject(new Error(`haproxy exited with ${code}: ${stderr}`)));
  });
  failed.catch(() => undefined);
  const url = `http://127.0.0.1:${port}`;
  // Round robin alternates between the nodes once both pass the health check.
  const seen = new Set<string>();
  const deadline = Date.now() + 15_000;
  while (seen.size < 2) {
    if (Date.now() > deadline) throw new Error(`the proxy did not reach both nodes: ${stderr}`);
    const ok = await Promise.race([
      fetch(`${url}/ready`).then(
        (res) => (res.ok ? /rejoinder_node=([\w-]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] : undefined),
        () => undefined,
      ),
      failed,
    ]);
    if (ok) seen.add(ok);
    else await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

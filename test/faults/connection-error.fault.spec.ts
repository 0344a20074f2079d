import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, Server, Socket } from 'node:net';

// Just enough of PostgreSQL's wire protocol: accept any start-up, and answer
// the first query with its result, ReadyForQuery and - in the same network
// write - FATAL 57P01, as a server being restarted with `-m fast` can.
function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
const cstring = (text: string) => Buffer.from(`${text}\0`, 'latin1');
const authOk = message('R', Buffer.from([0, 0, 0, 0]));
const ready = message('Z', Buffer.from('I', 'latin1'));
const fatal = message(
  'E',
  Buffer.concat([
    cstring('SFATAL'),
    cstring('VFATAL'),
    cstring('C57P01'),
    cstring('Mterminating connection due to administrator command'),
    Buffer.from([0]),
  ]),
);

function fakePostgres(): Server {
  return createServer((socket: Socket) => {
    let started = false;
    socket.on('data', (data) => {
      if (!started) {
        started = true;
        socket.write(Buffer.concat([authOk, ready]));
        return;
      }
      if (data[0] === 'Q'.charCodeAt(0)) {
        socket.end(Buffer.concat([message('C', cstring('SELECT 0')), ready, fatal]));
      }
    });
    socket.on('error', () => undefined);
  });
}

async function runPool(mode: 'bare' | 'guarded', port: number): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['test/support/pool-under-fatal.mjs', mode, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, output };
}

it('survives a FATAL that arrives while a client is being handed to a waiting caller', async () => {
  const server = fakePostgres();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  try {
    // The fake server does reproduce the crash with a plain pool...
    const bare = await runPool('bare', port);
    expect(bare.code).not.toBe(0);
    expect(bare.output).toContain("Unhandled 'error' event");
    // ...and the project's pool, with an error listener for each client's whole life, lives on.
    const guarded = await runPool('guarded', port);
    expect(guarded.output).toContain('handled 57P01');
    expect(guarded.output).toContain('survived');
    expect(guarded.code).toBe(0);
    console.log(
      `connection error: a plain pg.Pool exited with code ${bare.code}; the project's pool handled FATAL 57P01 and exited 0`,
    );
  } finally {
    server.close();
  }
});

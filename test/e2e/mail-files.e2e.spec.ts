import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { http, unique } from '../support/factories.js';
import { startServerProcess } from '../support/server-process.js';

// Without SMTP_URL: development writes each message as an .eml file and logs
// its path; production sends nothing and says so once at start-up.

const register = (url: string) => {
  const username = unique('user').replace('-', '_');
  return http({ url }, 'POST', '/api/auth/register', {
    body: { username, email: `${username}@example.test`, password: 'correct horse battery' },
  }).then((res) => ({ res, email: `${username}@example.test` }));
};

describe('mail without SMTP_URL', () => {
  it('writes .eml files under DATA_DIR/mail in development, each logged with its path', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rejoinder-mail-'));
    const server = await startServerProcess({ NODE_ENV: 'development', DATA_DIR: dataDir, MAIL_POLL_MS: '50' });
    try {
      expect(server.logs.join('\n')).toContain(`mail is written as .eml files under ${join(dataDir, 'mail')}`);
      const { res, email } = await register(server.url);
      expect(res.status).toBe(201);
      // The development server's worker also sends what the shared test
      // database owes other tests' readers: find this reader's message.
      let path: string | undefined;
      let parsed: Awaited<ReturnType<typeof simpleParser>> | undefined;
      while (!path || !parsed) {
        for (const file of await readdir(join(dataDir, 'mail')).catch(() => [] as string[])) {
          const candidate = await simpleParser(await readFile(join(dataDir, 'mail', file)));
          if ((candidate.to as { text: string } | undefined)?.text !== email) continue;
          path = join(dataDir, 'mail', file);
          parsed = candidate;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(parsed.subject).toBe('Confirm your email address');
      expect(parsed.text).toContain('http://localhost:');
      expect((parsed.to as { text: string }).text).toBe(email);
      while (!server.logs.some((line) => line.includes(path))) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('is off in production, said once at start-up', async () => {
    const server = await startServerProcess({ NODE_ENV: 'production' });
    try {
      const said = server.logs.filter((line) => line.includes('No SMTP_URL: mail is off'));
      expect(said).toHaveLength(1);
      expect((await register(server.url)).res.status).toBe(201);
    } finally {
      await server.stop();
    }
  });

  it('stops start-up on a bad mail setting, naming it', async () => {
    await expect(startServerProcess({ SMTP_URL: 'http://mail.example.test' })).rejects.toThrow(/SMTP_URL/);
    await expect(startServerProcess({ SMTP_URL: 'smtp://127.0.0.1:2525' })).rejects.toThrow(/PUBLIC_URL/);
  });
});

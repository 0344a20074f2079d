// A fresh API server for a script (screenshots, the web benchmark): built
// `dist`, its own embedded PostgreSQL in a throwaway data directory, comment
// limits lifted; and Debian's Chromium, headless, with no background traffic
// (the same flags as test/support/browser.ts).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { chromium } from 'playwright-core';

const LIFTED_COMMENT_LIMITS = {
  RATE_COMMENTS_PER_NEW_USER: '100000',
  RATE_COMMENTS_PER_NEW_USER_WINDOW: '1',
  RATE_COMMENTS_PER_USER: '100000',
  RATE_COMMENTS_PER_USER_WINDOW: '1',
  RATE_COMMENTS_PER_IP: '100000',
  // The load is the point here, not the automatic slow mode it would trigger.
  SLOW_MODE_AUTO_COMMENTS_PER_MINUTE: '0',
  SLOW_MODE_AUTO_REPORTS_PER_MINUTE: '0',
};

export function startLocalServer({ port, pgPort, dataDir }) {
  const base = `http://localhost:${port}`;
  rmSync(dataDir, { recursive: true, force: true });
  const server = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...LIFTED_COMMENT_LIMITS,
    },
  });

  async function call(method, path, { token, body } = {}) {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async function ready() {
    for (let i = 0; i < 120; i++) {
      try {
        if ((await fetch(`${base}/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error('the server did not become ready');
  }

  // Stops the server and removes its data.
  async function stop() {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }

  return { base, call, ready, stop, process: server };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}
